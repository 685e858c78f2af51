import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import { updateBudget } from '../../../budgets/service.js';
import { getBudgetGauge } from '../../../budgets/tree-view.js';
import type { AppContext } from '../../../context.js';
import { actorOf, orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors } from '../responses.js';
import { budgetParamsSchema, budgetSchema, thresholdsSchema, toBudgetJson } from './budget-schema.js';

const bodySchema = z
  .object({
    limit_tokens: z.number().int().positive().max(1e15).optional(),
    limit_cost: z.number().positive().max(1e12).optional(),
    cap: z.enum(['soft', 'hard']).optional(),
    thresholds: thresholdsSchema.optional(),
    rollover_cap_pct: z.number().int().min(0).max(100).nullish(),
  })
  .strict()
  .refine((b) => b.limit_tokens === undefined || b.limit_cost === undefined, {
    message: 'give at most one of limit_tokens or limit_cost',
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'give at least one field to change' });

/** `PATCH /v1/budgets/{id}`: changes apply to the current period at once (audited). */
export function registerUpdateBudget(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().patch(
    '/v1/budgets/:id',
    {
      schema: {
        tags: ['budgets'],
        summary: 'Update a budget',
        params: budgetParamsSchema,
        body: bodySchema,
        response: { 200: budgetSchema, ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => {
      const orgId = orgOf(request);
      const row = await updateBudget(ctx, orgId, actorOf(request), request.params.id, request.body);
      return toBudgetJson(row, await getBudgetGauge(ctx, orgId, row.department_id));
    },
  );
}
