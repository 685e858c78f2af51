import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import { blockUser } from '../../../budgets/blocks.js';
import type { AppContext } from '../../../context.js';
import { actorOf, orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors, idSchema } from '../responses.js';
import { blockSchema, toBlockJson } from './block-schema.js';

const bodySchema = z
  .object({
    reason: z.string().trim().min(1).max(500),
    until: z.iso.datetime({ offset: true }).optional().describe('the block ends by itself then'),
  })
  .strict();

/** `POST /v1/users/{id}/block`: preflight denies the user until unblocked or `until` (audited). */
export function registerBlockUser(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/v1/users/:id/block',
    {
      schema: {
        tags: ['budgets'],
        summary: 'Block a user’s LLM access',
        params: z.object({ id: idSchema }),
        body: bodySchema,
        response: { 200: blockSchema, ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) =>
      toBlockJson(
        await blockUser(ctx, orgOf(request), request.params.id, {
          reason: request.body.reason,
          until: request.body.until ? new Date(request.body.until) : null,
          actor: actorOf(request),
        }),
      ),
  );
}
