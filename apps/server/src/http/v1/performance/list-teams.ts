import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { scoreTeams } from '../../../efficiency/service.js';
import { requestScope } from '../../auth.js';
import { commonErrors } from '../responses.js';
import { trendSchema, windowQuery } from './schemas.js';

const teamScore = z.object({
  department_id: z.string(),
  name: z.string(),
  members: z.number(),
  scored_members: z.number(),
  score: z.number().nullable().describe('mean of the scored members of the subtree'),
  previous_score: z.number().nullable(),
  trend: trendSchema,
});

/** `GET /v1/performance/teams`: every department's team score and trend. */
export function registerListTeams(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/performance/teams',
    {
      schema: {
        tags: ['performance'],
        summary: 'Team (department) efficiency scores',
        querystring: z.object(windowQuery),
        response: {
          200: z.object({ end_day: z.string(), window_days: z.number(), teams: z.array(teamScore) }),
          ...commonErrors,
        },
      },
      config: { auth: auth.can('users:read') },
    },
    async (request) =>
      scoreTeams(ctx, requestScope(request), {
        windowDays: request.query.window_days,
        endDay: request.query.end_date,
      }),
  );
}
