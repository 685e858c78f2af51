import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { getOverview } from '../../../overview/service.js';
import { requestScope } from '../../auth.js';

const OverviewResponse = z.object({
  start_date: z.string(),
  end_date: z.string(),
  enrolled_devices: z.number(),
  active_users: z.number(),
  total_tokens: z.number(),
  est_cost: z.number().describe('the estimated tokens priced per provider and model (org prices), USD'),
  est_input_tokens: z.number(),
  est_output_tokens: z.number(),
  reconciled_tokens: z.number().nullable(),
  protected: z.object({ reporting_devices: z.number(), active_devices: z.number(), protected: z.boolean() }),
  trend: z.array(
    z.object({
      date: z.string(),
      est_input_tokens: z.number(),
      est_output_tokens: z.number(),
      events: z.number(),
    }),
  ),
});

/** `GET /v1/overview`: the Overview page's four tiles (last 30 days) and its trend chart. */
export function registerGetOverview(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/overview',
    {
      schema: {
        tags: ['overview'],
        summary: 'Overview tiles and 30-day trend',
        response: { 200: OverviewResponse },
      },
      config: { auth: auth.can('dashboard:view') },
    },
    async (request) => getOverview(ctx.db, requestScope(request)),
  );
}
