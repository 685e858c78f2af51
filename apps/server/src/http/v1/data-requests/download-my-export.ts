import { AppError } from '@toktra/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { readAccessExport } from '../../../data-requests/service.js';
import { principalOf } from '../../auth.js';
import { commonErrors, errorSchema, idSchema } from '../responses.js';
import { formatQuery } from './schema.js';

/** `GET /v1/me/data-requests/{id}/export`: the subject downloads their fulfilled access export. */
export function registerDownloadMyExport(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/me/data-requests/:id/export',
    {
      schema: {
        tags: ['data-requests'],
        summary: 'Download my access export (JSON or CSV)',
        params: z.object({ id: idSchema }),
        querystring: formatQuery,
        response: { 409: errorSchema, 410: errorSchema.describe('the export expired'), ...commonErrors },
      },
      config: { auth: auth.can('portal:view') },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      if (!principal.userId)
        throw new AppError('bad_request', 'an API key is not a person; sign in to the portal');
      const { id } = request.params;
      const { format } = request.query;
      const body = await readAccessExport(ctx, principal.orgId, id, format, principal.userId);
      return reply
        .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json')
        .header('content-disposition', `attachment; filename="my-data-${id}.${format}"`)
        .header('cache-control', 'private, no-store')
        .send(body as never);
    },
  );
}
