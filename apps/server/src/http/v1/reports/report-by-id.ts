import { AppError, isUuid } from '@toktra/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { deleteSchedule, sendReport } from '../../../reports/service.js';
import { actorOf, orgOf } from '../../auth.js';
import { commonErrors, errorSchema, idSchema } from '../responses.js';

const params = z.object({ id: idSchema });

function reportId(raw: string): string {
  if (!isUuid(raw)) throw new AppError('not_found', `report ${raw} not found`);
  return raw;
}

/** `DELETE /v1/reports/{id}` and `POST /v1/reports/{id}/send-now`. */
export function registerReportById(app: FastifyInstance, ctx: AppContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.delete(
    '/v1/reports/:id',
    {
      schema: {
        tags: ['reports'],
        summary: 'Delete a report schedule',
        params,
        response: { 204: z.null(), ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
    },
    async (request, reply) => {
      await deleteSchedule(ctx, orgOf(request), actorOf(request), reportId(request.params.id));
      return reply.code(204).send(null);
    },
  );
  typed.post(
    '/v1/reports/:id/send-now',
    {
      schema: {
        tags: ['reports'],
        summary: 'Send a report now (period ending yesterday)',
        params,
        response: {
          200: z.object({ sent_to: z.array(z.string()), period_start: z.string(), period_end: z.string() }),
          ...commonErrors,
          502: errorSchema.describe('the mail server refused or is unreachable'),
        },
      },
      config: { auth: auth.can('settings:manage') },
    },
    async (request) => sendReport(ctx, orgOf(request), reportId(request.params.id), { advance: false }),
  );
}
