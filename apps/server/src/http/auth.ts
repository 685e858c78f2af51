import { AppError } from '@toktra/core';
import type { ApiKeyScope } from '@toktra/db';
import type { FastifyRequest } from 'fastify';
import { type ApiKeyPrincipal, authenticateApiKey } from '../api-keys/service.js';
import type { AppContext } from '../context.js';

declare module 'fastify' {
  interface FastifyRequest {
    apiKey?: ApiKeyPrincipal;
  }
}

/** A preHandler that requires `Authorization: Bearer <api key>` with the given scope. */
export function requireApiKey(ctx: AppContext, scope: ApiKeyScope) {
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization ?? '';
    const [scheme, token] = header.split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) {
      throw new AppError('unauthorized', 'send an API key as "Authorization: Bearer <key>"');
    }
    const principal = await authenticateApiKey(ctx.db, token);
    if (!principal.scopes.includes(scope) && !principal.scopes.includes('admin')) {
      throw new AppError('forbidden', `this API key lacks the "${scope}" scope`);
    }
    request.apiKey = principal;
  };
}

/** The authenticated org of a request that passed `requireApiKey`. */
export function orgOf(request: FastifyRequest): string {
  if (!request.apiKey) throw new AppError('unauthorized', 'not authenticated');
  return request.apiKey.orgId;
}
