import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import { listBudgets } from '../../../budgets/service.js';
import { getBudgetGauge } from '../../../budgets/tree-view.js';
import type { AppContext } from '../../../context.js';
import { orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors } from '../responses.js';
import { budgetSchema, toBudgetJson } from './budget-schema.js';

/** `GET /v1/budgets`: every budget of the org with its live gauge for the current period. */
export function registerListBudgets(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/budgets',
    {
      schema: {
        tags: ['budgets'],
        summary: 'List budgets',
        response: { 200: z.object({ data: z.array(budgetSchema) }), ...commonErrors },
      },
      config: { auth: auth.can('departments:read') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => {
      const orgId = orgOf(request);
      const rows = await listBudgets(ctx, orgId);
      const data = [];
      for (const row of rows)
        data.push(toBudgetJson(row, await getBudgetGauge(ctx, orgId, row.department_id)));
      return { data };
    },
  );
}
