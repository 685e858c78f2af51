import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { scoreUsers } from '../../../efficiency/service.js';
import { requestScope } from '../../auth.js';
import { commonErrors } from '../responses.js';
import { componentsSchema, departmentQuery, tierSchema, trendSchema, windowQuery } from './schemas.js';

const userScore = z.object({
  user_id: z.string(),
  name: z.string(),
  email: z.string(),
  department_id: z.string().nullable(),
  score: z.number().nullable().describe('0–100; null below five calls in the window'),
  previous_score: z.number().nullable(),
  trend: trendSchema,
  components: componentsSchema,
  events: z.number(),
  coaching: z.array(z.string()),
  tier: tierSchema,
  tier_source: z.enum(['score', 'override']),
});

/** `GET /v1/performance/scores`: each person's efficiency score, trend, coaching and tier. */
export function registerListScores(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/performance/scores',
    {
      schema: {
        tags: ['performance'],
        summary: 'Individual efficiency scores (formula: docs/efficiency.md)',
        querystring: z.object({ ...departmentQuery, ...windowQuery }),
        response: {
          200: z.object({ end_day: z.string(), window_days: z.number(), users: z.array(userScore) }),
          ...commonErrors,
        },
      },
      config: { auth: auth.can('users:read') },
    },
    async (request) =>
      scoreUsers(ctx, requestScope(request), {
        departmentId: request.query.department_id,
        windowDays: request.query.window_days,
        endDay: request.query.end_date,
      }),
  );
}
