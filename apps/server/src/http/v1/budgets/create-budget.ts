import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import { createBudget } from '../../../budgets/service.js';
import { getBudgetGauge } from '../../../budgets/tree-view.js';
import type { AppContext } from '../../../context.js';
import { actorOf, orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors, errorSchema, idSchema } from '../responses.js';
import { budgetSchema, thresholdsSchema, toBudgetJson } from './budget-schema.js';

export const createBudgetBody = z
  .object({
    department_id: idSchema.nullish().describe('the department; omit for the whole organisation'),
    limit_tokens: z.number().int().positive().max(1e15).optional().describe('a token budget per month'),
    limit_cost: z.number().positive().max(1e12).optional().describe('a money budget per month (price table)'),
    cap: z.enum(['soft', 'hard']).describe('soft: alert and continue; hard: block at the limit'),
    thresholds: thresholdsSchema.optional(),
    rollover_cap_pct: z
      .number()
      .int()
      .min(0)
      .max(100)
      .nullish()
      .describe('up to this % of the limit carries over'),
  })
  .strict()
  .refine((b) => (b.limit_tokens === undefined) !== (b.limit_cost === undefined), {
    message: 'give exactly one of limit_tokens or limit_cost',
  });

/** `POST /v1/budgets`: a department's or the org's monthly budget (audited; one per scope). */
export function registerCreateBudget(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/v1/budgets',
    {
      schema: {
        tags: ['budgets'],
        summary: 'Create a budget',
        body: createBudgetBody,
        response: { 201: budgetSchema, ...commonErrors, 409: errorSchema },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request, reply) => {
      const orgId = orgOf(request);
      const row = await createBudget(ctx, orgId, actorOf(request), request.body);
      return reply.status(201).send(toBudgetJson(row, await getBudgetGauge(ctx, orgId, row.department_id)));
    },
  );
}
