import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { listSchedules } from '../../../reports/service.js';
import { orgOf } from '../../auth.js';
import { commonErrors } from '../responses.js';
import { scheduleSchema } from './schemas.js';

/** `GET /v1/reports`: the org's report schedules. */
export function registerListReports(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/reports',
    {
      schema: {
        tags: ['reports'],
        summary: 'List report schedules',
        response: { 200: z.object({ data: z.array(scheduleSchema) }), ...commonErrors },
      },
      config: { auth: auth.orgWide('users:read') },
    },
    async (request) => ({ data: await listSchedules(ctx, orgOf(request)) }),
  );
}
