import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { revokeBrowser } from '../../../extension/browsers.js';
import { commonErrors } from '../responses.js';
import { browserOf } from './extension-auth.js';

/** `DELETE /v1/extension/me`: the user signs the browser out; its token is revoked. */
export function registerExtensionSignOut(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().delete(
    '/v1/extension/me',
    {
      schema: {
        tags: ['extension'],
        summary: 'Sign this browser out',
        response: { 204: z.null().describe('signed out'), ...commonErrors },
      },
      config: { auth: auth.extension() },
    },
    async (request, reply) => {
      const who = browserOf(request);
      await revokeBrowser(ctx.db, who.orgId, { type: 'user', id: who.userId }, who.browserId);
      return reply.status(204).send(null);
    },
  );
}
