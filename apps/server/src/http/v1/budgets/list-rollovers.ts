import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import { listRollovers } from '../../../budgets/rollovers.js';
import type { AppContext } from '../../../context.js';
import { orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors } from '../responses.js';
import { budgetParamsSchema } from './budget-schema.js';

const rolloverSchema = z.object({
  from_period: z.string(),
  to_period: z.string(),
  limit_amount: z.number(),
  rollover_in: z.number(),
  spent: z.number(),
  unused: z.number(),
  cap_pct: z.number(),
  amount: z.number().describe('min(unused, cap_pct% × limit), carried into to_period'),
  created_at: z.string(),
});

/** `GET /v1/budgets/{id}/rollovers`: the rollover history, newest first. */
export function registerListRollovers(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/budgets/:id/rollovers',
    {
      schema: {
        tags: ['budgets'],
        summary: 'Rollover history of a budget',
        params: budgetParamsSchema,
        response: { 200: z.object({ data: z.array(rolloverSchema) }), ...commonErrors },
      },
      config: { auth: auth.can('departments:read') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => {
      const rows = await listRollovers(ctx, orgOf(request), request.params.id);
      return { data: rows.map((r) => ({ ...r, created_at: r.created_at.toISOString() })) };
    },
  );
}
