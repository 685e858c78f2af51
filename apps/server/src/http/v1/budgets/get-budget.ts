import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { auth } from '../../../auth/route-auth.js';
import { getBudget } from '../../../budgets/service.js';
import { getBudgetGauge } from '../../../budgets/tree-view.js';
import type { AppContext } from '../../../context.js';
import { orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors } from '../responses.js';
import { budgetParamsSchema, budgetSchema, toBudgetJson } from './budget-schema.js';

/** `GET /v1/budgets/{id}`. */
export function registerGetBudget(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/budgets/:id',
    {
      schema: {
        tags: ['budgets'],
        summary: 'Get a budget',
        params: budgetParamsSchema,
        response: { 200: budgetSchema, ...commonErrors },
      },
      config: { auth: auth.can('departments:read') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => {
      const orgId = orgOf(request);
      const row = await getBudget(ctx, orgId, request.params.id);
      return toBudgetJson(row, await getBudgetGauge(ctx, orgId, row.department_id));
    },
  );
}
