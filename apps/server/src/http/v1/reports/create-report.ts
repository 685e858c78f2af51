import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { createSchedule } from '../../../reports/service.js';
import { actorOf, orgOf } from '../../auth.js';
import { commonErrors } from '../responses.js';
import { scheduleSchema } from './schemas.js';

const bodySchema = z
  .object({
    name: z.string().min(1).max(200).default('Usage report'),
    frequency: z.enum(['daily', 'weekly', 'monthly']),
    day_of_week: z.number().int().min(0).max(6).optional().describe('weekly: 0 = Sunday … 6 = Saturday'),
    day_of_month: z.number().int().min(1).max(28).optional().describe('monthly: 1–28'),
    time_of_day: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)')
      .describe('local time in time_zone'),
    time_zone: z.string().min(1).max(64).describe('IANA name, e.g. Europe/Berlin'),
    recipients: z.array(z.email()).min(1).max(50),
  })
  .strict();

/** `POST /v1/reports`: schedule an emailed usage, budget and efficiency report. */
export function registerCreateReport(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/v1/reports',
    {
      schema: {
        tags: ['reports'],
        summary: 'Schedule a report',
        body: bodySchema,
        response: { 201: scheduleSchema, ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
    },
    async (request, reply) => {
      const view = await createSchedule(ctx, orgOf(request), actorOf(request), request.body);
      return reply.code(201).send(view);
    },
  );
}
