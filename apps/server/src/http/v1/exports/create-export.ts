import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { createExport } from '../../../exports/service.js';
import { actorOf, requestScope } from '../../auth.js';
import { commonErrors, dateSchema } from '../responses.js';

const bodySchema = z
  .object({
    start_date: dateSchema.describe("first day, YYYY-MM-DD in the org's time zone"),
    end_date: dateSchema.describe('last day, inclusive'),
    format: z.enum(['csv', 'json']),
    scope: z
      .enum(['users', 'teams', 'models', 'providers'])
      .describe('one row per day and user / department / model / provider'),
  })
  .strict();

/** `POST /v1/exports`: starts an export job; poll `GET /v1/exports/{job_id}` until `ready`. */
export function registerCreateExport(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/v1/exports',
    {
      schema: {
        tags: ['exports'],
        summary: 'Start a usage export',
        body: bodySchema,
        response: { 202: z.object({ job_id: z.string(), status: z.literal('queued') }), ...commonErrors },
      },
      config: { auth: auth.can('usage:read') },
    },
    async (request, reply) => {
      const b = request.body;
      const { jobId } = await createExport(ctx, requestScope(request), actorOf(request), {
        startDate: b.start_date,
        endDate: b.end_date,
        format: b.format,
        scope: b.scope,
      });
      return reply.code(202).send({ job_id: jobId, status: 'queued' as const });
    },
  );
}
