import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { exportPayroll } from '../../../reimbursements/service.js';
import { actorOf, orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors } from '../responses.js';
import { periodSchema } from './shared.js';

/** `GET /v1/reimbursements/payroll-export?period=YYYY-MM` (admins): approved requests as CSV. */
export function registerPayrollExport(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/reimbursements/payroll-export',
    {
      schema: {
        tags: ['reimbursements'],
        summary: 'Payroll CSV of the approved requests of a period',
        querystring: z.object({ period: periodSchema }),
        response: {
          200: {
            description: 'CSV, one row per approved request',
            content: { 'text/csv': { schema: z.string() } },
          },
          ...commonErrors,
        },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request, reply) => {
      const csv = await exportPayroll(ctx, orgOf(request), actorOf(request), request.query.period);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="toktra-reimbursements-${request.query.period}.csv"`,
        )
        .send(csv);
    },
  );
}
