import { AppError } from '@toktra/core';
import { CONNECTION_PROVIDERS } from '@toktra/db';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { computeShadowAi } from '../../../reconciliation/shadow-ai.js';
import { orgOf } from '../../auth.js';
import { commonErrors, dateSchema } from '../responses.js';

const MAX_DAYS = 92;
const band = z.object({ lower: z.number(), upper: z.number() });

const querySchema = z.object({
  start_date: dateSchema.optional().describe('UTC day; default 29 days before end_date'),
  end_date: dateSchema.optional().describe('UTC day, inclusive; default today'),
  provider: z.enum(CONNECTION_PROVIDERS).optional(),
});

const daySchema = z.object({
  provider: z.string(),
  date: z.string(),
  reconciled_input_tokens: z.number().nullable(),
  reconciled_output_tokens: z.number().nullable(),
  observed_input_tokens: z.number().describe('agent-observed on managed devices, calibrated'),
  observed_output_tokens: z.number(),
  gap_input_tokens: z.number().nullable(),
  gap_output_tokens: z.number().nullable(),
  gap_tokens: z
    .number()
    .nullable()
    .describe('provider-reported − agent-observed; null without provider data'),
  band: band.nullable().describe('95% band of the gap (docs/shadow-ai.md)'),
  significant: z.boolean().describe('the whole band lies above zero'),
  calibrated: z.boolean(),
  by_dimension: z.array(
    z.object({
      project_id: z.string().nullable(),
      workspace_id: z.string().nullable(),
      api_key_id: z.string().nullable(),
      model: z.string().nullable(),
      input_tokens: z.number(),
      output_tokens: z.number(),
    }),
  ),
});

const responseSchema = z.object({
  start_date: z.string(),
  end_date: z.string(),
  data: z.array(daySchema),
  totals: z.array(
    z.object({
      provider: z.string(),
      state: z
        .enum(['not_synced', 'unhealthy', 'no_data', 'ok'])
        .describe(
          'not_synced: the connection never synced; unhealthy: its last sync failed (last_error); no_data: synced but no provider data in range. Only ok figures are an answer — never read a gap of 0 otherwise as an all-clear',
        ),
      last_synced_at: z.string().nullable(),
      last_error: z.string().nullable(),
      days_with_data: z.number(),
      reconciled_tokens: z.number(),
      observed_tokens: z.number(),
      gap_tokens: z.number(),
      band,
      significant: z.boolean(),
    }),
  ),
});

const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);

/** `GET /v1/shadow-ai`: per provider per day, usage the provider saw that managed devices did not. */
export function registerGetShadowAi(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/shadow-ai',
    {
      schema: {
        tags: ['reconciliation'],
        summary: 'Shadow AI: provider-reported minus agent-observed usage',
        querystring: querySchema,
        response: { 200: responseSchema, ...commonErrors },
      },
      config: { auth: auth.orgWide('dashboard:view') },
    },
    async (request) => {
      const endDate = request.query.end_date ?? isoDay(Date.now());
      const startDate =
        request.query.start_date ?? isoDay(Date.parse(`${endDate}T00:00:00Z`) - 29 * 86_400_000);
      if (startDate > endDate)
        throw new AppError('validation_failed', 'end_date must not be before start_date');
      if (Date.parse(endDate) - Date.parse(startDate) >= MAX_DAYS * 86_400_000) {
        throw new AppError('validation_failed', `a range spans at most ${MAX_DAYS} days`);
      }
      const result = await computeShadowAi(ctx.db, orgOf(request), {
        startDate,
        endDate,
        provider: request.query.provider,
      });
      return { start_date: startDate, end_date: endDate, ...result };
    },
  );
}
