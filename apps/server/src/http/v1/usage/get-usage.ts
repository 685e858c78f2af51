import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { MAX_RANGE_DAYS, queryUsage, USAGE_GROUPS } from '../../../usage/query.js';
import { requestScope } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors, dateSchema, idSchema } from '../responses.js';

const querySchema = z.object({
  user_id: idSchema.optional(),
  department_id: idSchema.optional().describe('includes every sub-department, at any depth'),
  provider: z.string().min(1).max(64).optional(),
  model: z.string().min(1).max(200).optional(),
  start_date: dateSchema
    .optional()
    .describe("YYYY-MM-DD in the org's time zone; default 29 days before end_date"),
  end_date: dateSchema.optional().describe("YYYY-MM-DD in the org's time zone, inclusive; default today"),
  group_by: z.enum(USAGE_GROUPS).optional(),
});

const figures = z.object({
  events: z.number(),
  bytes_up: z.number(),
  bytes_down: z.number(),
  est_input_tokens: z.number(),
  est_output_tokens: z.number(),
  reconciled_input_tokens: z.number().nullable().describe('from provider admin APIs; null when unknown'),
  reconciled_output_tokens: z.number().nullable(),
  est_cost: z
    .number()
    .describe(
      'the estimated tokens priced per provider and model (org prices over the built-in list), in `currency`',
    ),
});

const groupRow = figures.extend({
  date: z.string().optional(),
  user_id: z.string().nullable().optional(),
  user_email: z.string().nullable().optional(),
  user_name: z.string().nullable().optional(),
  department_id: z.string().nullable().optional(),
  department_name: z.string().nullable().optional(),
  provider: z.string().optional(),
  model: z.string().nullable().optional(),
});

const reportSchema = z.object({
  start_date: z.string(),
  end_date: z.string(),
  time_zone: z.string(),
  group_by: z.enum(USAGE_GROUPS).nullable(),
  currency: z.literal('USD').describe('of every cost figure (the price list is in USD)'),
  totals: figures,
  data: z.array(groupRow).describe('one row per group key; empty without group_by'),
});

/** `GET /v1/usage`: usage totals, filtered and optionally grouped. */
export function registerGetUsage(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/usage',
    {
      schema: {
        tags: ['usage'],
        summary: 'Query usage',
        description: `Ranges span at most ${MAX_RANGE_DAYS} days. A user_id or department_id of another org answers 404.`,
        querystring: querySchema,
        response: { 200: reportSchema, ...commonErrors },
      },
      // Sessions too (the dashboard): employees see only themselves, managers their subtree.
      config: { auth: auth.can('usage:read') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => {
      const q = request.query;
      return queryUsage(ctx.db, requestScope(request), {
        userId: q.user_id,
        departmentId: q.department_id,
        provider: q.provider,
        model: q.model,
        startDate: q.start_date,
        endDate: q.end_date,
        groupBy: q.group_by,
      });
    },
  );
}
