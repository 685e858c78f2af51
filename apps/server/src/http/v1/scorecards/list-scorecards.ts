import { AppError, isUuid } from '@toktra/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { SUBJECT_TYPES } from '../../../scorecards/compute.js';
import { listScorecards } from '../../../scorecards/service.js';
import { requestScope } from '../../auth.js';
import { commonErrors, idSchema } from '../responses.js';

const metrics = z.object({
  eligible: z.number(),
  active_30d: z.number(),
  adoption_rate: z.number().describe('active / eligible, 0–1'),
  tokens_30d: z.number(),
  tokens_prev_30d: z.number(),
  token_trend_pct: z.number().nullable(),
  tokens_90d: z.number(),
  weekly_tokens: z.array(z.number()).describe('13 weeks, oldest first'),
  model_diversity: z.number().describe('distinct models used in 90 days'),
  models: z.array(z.string()),
  provider_diversity: z.number(),
  efficiency: z.object({
    current: z.number().nullable(),
    days_30_ago: z.number().nullable(),
    days_90_ago: z.number().nullable(),
    trend_30d: z.number().nullable(),
    trend_90d: z.number().nullable(),
  }),
});

/** `GET /v1/scorecards`: the latest nightly adoption scorecards per employee, team or department. */
export function registerListScorecards(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/scorecards',
    {
      schema: {
        tags: ['scorecards'],
        summary: 'AI adoption scorecards',
        querystring: z
          .object({
            subject_type: z.enum(SUBJECT_TYPES).default('department'),
            subject_id: idSchema.optional().describe('one employee, team (its manager) or department'),
          })
          .strict(),
        response: {
          200: z.object({
            day: z.string().describe('the day the scorecards were computed for'),
            scorecards: z.array(
              z.object({
                subject_type: z.enum(SUBJECT_TYPES),
                subject_id: z.string(),
                name: z.string(),
                metrics,
              }),
            ),
          }),
          ...commonErrors,
        },
      },
      config: { auth: auth.can('users:read') },
    },
    async (request) => {
      const { subject_type: subjectType, subject_id: subjectId } = request.query;
      if (subjectId !== undefined && !isUuid(subjectId))
        throw new AppError('not_found', `no scorecard for ${subjectId}`);
      return listScorecards(ctx, requestScope(request), { subjectType, subjectId });
    },
  );
}
