import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { getCalibrationReport } from '../../../reconciliation/calibration.js';
import { orgOf } from '../../auth.js';
import { commonErrors } from '../responses.js';

const ratio = z.object({ overheadBytes: z.number(), bytesPerToken: z.number() });
const error = z.object({
  mape_before: z.number().nullable().describe('mean absolute % error of daily estimates with default ratios'),
  mape_after: z.number().nullable().describe('the same with the calibrated ratios'),
});

const responseSchema = z.object({
  data: z.array(
    z.object({
      provider: z.string(),
      calibrated: z.boolean(),
      fitted_at: z.string().nullable(),
      window: z.object({ start_date: z.string(), end_date: z.string() }).nullable(),
      windows_used: z.number(),
      windows_excluded: z.number().describe('days left out as outliers, typically shadow usage'),
      ratios: z.object({ up: ratio.nullable(), down: ratio.nullable() }),
      default_ratios: z.object({ up: ratio, down: ratio }),
      error: z.object({ input: error, output: error }),
      readiness: z
        .object({
          reason: z
            .string()
            .nullable()
            .describe(
              'why there is no fit yet (not synced, too few windows, undetermined); null once calibrated',
            ),
          windows: z.object({ days: z.number(), hours: z.number() }),
          required: z.object({ days: z.number(), hours: z.number() }),
        })
        .describe('usable windows in the last 28 days against what a fit needs'),
      history: z.array(
        z.object({
          fitted_at: z.string(),
          windows_used: z.number(),
          mape_after_input: z.number().nullable(),
          mape_after_output: z.number().nullable(),
        }),
      ),
    }),
  ),
});

/** `GET /v1/calibration`: per provider, the estimator's error before and after calibration. */
export function registerGetCalibration(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/calibration',
    {
      schema: {
        tags: ['reconciliation'],
        summary: 'Token estimator calibration per provider',
        response: { 200: responseSchema, ...commonErrors },
      },
      config: { auth: auth.can('dashboard:view') },
    },
    async (request) => ({ data: await getCalibrationReport(ctx.db, orgOf(request)) }),
  );
}
