import { createReadStream } from 'node:fs';
import { AppError, isUuid } from '@toktra/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { resolveDownload } from '../../../exports/service.js';
import { errorSchema, idSchema } from '../responses.js';

/** `GET /v1/exports/{job_id}/download`: the file, for a valid signed link (no API key). */
export function registerDownloadExport(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/exports/:job_id/download',
    {
      config: { auth: auth.public('signed, expiring link') },
      schema: {
        tags: ['exports'],
        summary: 'Download an export (signed link)',
        security: [],
        params: z.object({ job_id: idSchema }),
        querystring: z.object({
          expires: z.coerce.number().int().positive(),
          sig: z.string().min(1).max(200),
        }),
        response: {
          400: errorSchema,
          403: errorSchema.describe('bad signature'),
          410: errorSchema.describe('link or file expired'),
        },
      },
    },
    async (request, reply) => {
      const { job_id: jobId } = request.params;
      if (!isUuid(jobId)) throw new AppError('forbidden', 'invalid download signature');
      const file = await resolveDownload(ctx, jobId, request.query.expires, request.query.sig);
      return (
        reply
          .header('content-type', file.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json')
          .header('content-disposition', `attachment; filename="${file.fileName}"`)
          .header('cache-control', 'private, no-store')
          // A stream bypasses the response serializer; the typed reply only knows the error bodies.
          .send(createReadStream(file.filePath) as never)
      );
    },
  );
}
