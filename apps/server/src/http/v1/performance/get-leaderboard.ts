import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { getLeaderboard } from '../../../efficiency/leaderboard.js';
import { requestScope } from '../../auth.js';
import { commonErrors } from '../responses.js';
import { booleanQuery, departmentQuery, trendSchema, windowQuery } from './schemas.js';

/** `GET /v1/performance/leaderboard`: ranking within a department; `anonymize=true` hides names. */
export function registerGetLeaderboard(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/performance/leaderboard',
    {
      schema: {
        tags: ['performance'],
        summary: 'Team leaderboard',
        querystring: z.object({
          ...departmentQuery,
          ...windowQuery,
          anonymize: booleanQuery.describe('true: stable pseudonyms instead of names and ids'),
        }),
        response: {
          200: z.object({
            end_day: z.string(),
            window_days: z.number(),
            anonymized: z.boolean(),
            entries: z.array(
              z.object({
                rank: z.number(),
                user_id: z.string().nullable(),
                display_name: z.string(),
                score: z.number(),
                trend: trendSchema,
              }),
            ),
          }),
          ...commonErrors,
        },
      },
      config: { auth: auth.can('users:read') },
    },
    async (request) =>
      getLeaderboard(ctx, requestScope(request), {
        departmentId: request.query.department_id,
        anonymize: request.query.anonymize,
        windowDays: request.query.window_days,
      }),
  );
}
