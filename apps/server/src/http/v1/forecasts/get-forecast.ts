import { AppError } from '@toktra/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { getForecast } from '../../../forecasts/service.js';
import { requestScope } from '../../auth.js';
import { commonErrors, idSchema } from '../responses.js';

const interval = z.object({
  date: z.string(),
  value: z.number(),
  lower_80: z.number(),
  upper_80: z.number(),
  lower_95: z.number(),
  upper_95: z.number(),
});

const forecastSchema = z.object({
  history_days: z.number(),
  horizon: z.number(),
  points: z.array(interval),
  total: z.number().describe('tokens forecast over the horizon'),
  trend: z
    .enum(['Accelerating', 'Steady', 'Decelerating', 'Declining'])
    .describe('rule: docs/forecasting.md'),
  baseline_weekly_growth: z.number(),
  recent_weekly_growth: z.number(),
  backtest: z.object({
    holdout_days: z.number(),
    mape: z.number().nullable().describe('this model, percent'),
    naive_mape: z.number().nullable().describe('seasonal naive baseline, percent'),
  }),
  model: z.object({
    kind: z.string(),
    alpha: z.number(),
    beta: z.number(),
    gamma: z.number(),
    phi: z.number(),
    sigma: z.number(),
  }),
});

const querySchema = z
  .object({
    horizon: z.enum(['30', '90']).default('30').describe('days forward'),
    scope: z.enum(['org', 'department']).default('org'),
    department_id: idSchema.optional(),
  })
  .strict();

/** `GET /v1/forecasts`: 30/90-day token forecast with intervals, trend class and backtest error. */
export function registerGetForecast(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/forecasts',
    {
      schema: {
        tags: ['forecasts'],
        summary: 'Usage forecast',
        querystring: querySchema,
        response: {
          200: z.object({
            scope: z.enum(['org', 'department']),
            department_id: z.string().nullable(),
            horizon: z.number(),
            history_start: z.string(),
            history_end: z.string(),
            history: z.array(
              z.object({
                date: z.string(),
                tokens: z.number(),
                source: z.enum(['reconciled', 'estimated', 'mixed']),
              }),
            ),
            forecast: forecastSchema.nullable(),
            reason: z.string().nullable(),
          }),
          ...commonErrors,
        },
      },
      config: { auth: auth.can('dashboard:view') },
    },
    async (request) => {
      const q = request.query;
      if (q.scope === 'department' && !q.department_id) {
        throw new AppError('validation_failed', 'scope=department needs department_id');
      }
      if (q.scope === 'org' && q.department_id) {
        throw new AppError('validation_failed', 'department_id needs scope=department');
      }
      return getForecast(ctx, requestScope(request), {
        horizon: q.horizon === '90' ? 90 : 30,
        departmentId: q.department_id,
      });
    },
  );
}
