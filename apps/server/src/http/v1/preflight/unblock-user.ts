import { AppError } from '@toktra/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import { unblockUser } from '../../../budgets/blocks.js';
import type { AppContext } from '../../../context.js';
import { actorOf, orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors, idSchema } from '../responses.js';

/** `DELETE /v1/users/{id}/block`: lifts a block (audited); 404 when the user is not blocked. */
export function registerUnblockUser(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().delete(
    '/v1/users/:id/block',
    {
      schema: {
        tags: ['budgets'],
        summary: 'Unblock a user’s LLM access',
        params: z.object({ id: idSchema }),
        response: { 204: z.null().describe('unblocked'), ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request, reply) => {
      const removed = await unblockUser(ctx, orgOf(request), request.params.id, { actor: actorOf(request) });
      if (!removed) throw new AppError('not_found', `user ${request.params.id} is not blocked`);
      return reply.status(204).send(null);
    },
  );
}
