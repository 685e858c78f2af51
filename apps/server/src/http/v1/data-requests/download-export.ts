import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { readAccessExport } from '../../../data-requests/service.js';
import { orgOf } from '../../auth.js';
import { commonErrors, errorSchema, idSchema } from '../responses.js';
import { formatQuery } from './schema.js';

/** `GET /v1/data-requests/{id}/export?format=json|csv`: the fulfilled access export. */
export function registerDownloadExport(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/data-requests/:id/export',
    {
      schema: {
        tags: ['data-requests'],
        summary: 'Download an access export (JSON or CSV)',
        params: z.object({ id: idSchema }),
        querystring: formatQuery,
        response: { 409: errorSchema, 410: errorSchema.describe('the export expired'), ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { format } = request.query;
      const body = await readAccessExport(ctx, orgOf(request), id, format);
      return reply
        .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json')
        .header('content-disposition', `attachment; filename="data-request-${id}.${format}"`)
        .header('cache-control', 'private, no-store')
        .send(body as never);
    },
  );
}
