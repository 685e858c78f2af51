import { AppError } from '@toktra/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../context.js';
import { type ExtensionPrincipal, resolveExtensionToken } from '../../../extension/browsers.js';

declare module 'fastify' {
  interface FastifyRequest {
    extensionBrowser?: ExtensionPrincipal;
  }
}

/** `Authorization: Bearer tkext_…` → the enrolled browser, its user and org (routes declaring `auth.extension()`). */
export async function resolveExtensionRequest(ctx: AppContext, request: FastifyRequest): Promise<void> {
  const [scheme, token] = (request.headers.authorization ?? '').split(' ');
  if (scheme?.toLowerCase() !== 'bearer' || !token) {
    throw new AppError('unauthorized', 'send the browser token as "Authorization: Bearer <token>"');
  }
  request.extensionBrowser = await resolveExtensionToken(ctx.db, token);
}

export function browserOf(request: FastifyRequest): ExtensionPrincipal {
  if (!request.extensionBrowser) throw new AppError('unauthorized', 'not enrolled');
  return request.extensionBrowser;
}

/**
 * The extension calls these routes from its service worker, whose origin is
 * `chrome-extension://<id>`. Its host permissions cover only AI provider hosts (never the Toktra
 * server), so the browser applies CORS: allow extension origins on `/v1/extension/*` only.
 * No cookies are involved (the token travels in a header), so this grants nothing to web pages.
 */
export function installExtensionCors(app: FastifyInstance): void {
  const allowed = (origin: string | undefined) => !!origin && /^chrome-extension:\/\/[a-p]{32}$/.test(origin);
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/v1/extension/')) return;
    const origin = request.headers.origin;
    if (!allowed(origin)) return;
    reply.header('access-control-allow-origin', origin);
    reply.header('vary', 'origin');
    if (request.method === 'OPTIONS') {
      reply
        .header('access-control-allow-methods', 'GET, POST, DELETE')
        .header('access-control-allow-headers', 'authorization, content-type')
        .header('access-control-max-age', '600')
        .code(204)
        .send();
    }
  });
}
