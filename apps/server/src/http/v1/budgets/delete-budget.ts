import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import { deleteBudget } from '../../../budgets/service.js';
import type { AppContext } from '../../../context.js';
import { actorOf, orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors } from '../responses.js';
import { budgetParamsSchema } from './budget-schema.js';

/** `DELETE /v1/budgets/{id}` (audited); its periods, rollovers and exemptions go with it. */
export function registerDeleteBudget(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().delete(
    '/v1/budgets/:id',
    {
      schema: {
        tags: ['budgets'],
        summary: 'Delete a budget',
        params: budgetParamsSchema,
        response: { 204: z.null().describe('deleted'), ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request, reply) => {
      await deleteBudget(ctx, orgOf(request), actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
}
