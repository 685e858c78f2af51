import { AppError, isUuid } from '@toktra/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { getExport, signDownloadPath } from '../../../exports/service.js';
import { orgOf, requestScope } from '../../auth.js';
import { commonErrors, idSchema } from '../responses.js';

export const exportViewSchema = z.object({
  job_id: z.string(),
  status: z.enum(['queued', 'running', 'ready', 'failed']),
  format: z.enum(['csv', 'json']),
  scope: z.enum(['users', 'teams', 'models', 'providers']),
  start_date: z.string(),
  end_date: z.string(),
  progress: z.number().describe('0–100'),
  row_count: z.number(),
  byte_count: z.number(),
  error: z.string().nullable().describe('why a failed export failed'),
  created_at: z.string(),
  finished_at: z.string().nullable(),
  expires_at: z.string().nullable().describe('when the file is deleted'),
  download_url: z.string().nullable().describe('signed link, valid for an hour, no API key needed'),
});

/** `GET /v1/exports/{job_id}`: status, progress, and a signed download link once ready. */
export function registerGetExport(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/exports/:job_id',
    {
      schema: {
        tags: ['exports'],
        summary: 'Export status',
        params: z.object({ job_id: idSchema }),
        response: { 200: exportViewSchema, ...commonErrors },
      },
      config: { auth: auth.can('usage:read') },
    },
    async (request) => {
      const orgId = orgOf(request);
      const jobId = request.params.job_id;
      if (!isUuid(jobId)) throw new AppError('not_found', `export ${jobId} not found`);
      const view = await getExport(ctx, requestScope(request), jobId);
      const signed = view.status === 'ready' ? await signDownloadPath(ctx, orgId, view) : null;
      const base = `${request.protocol}://${request.host}`;
      return { ...view, download_url: signed ? `${base}${signed}` : null };
    },
  );
}
