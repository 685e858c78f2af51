import { CONNECTION_PROVIDERS } from '@toktra/db';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { createConnection } from '../../../reconciliation/connections.js';
import { enqueueSync, queueSync } from '../../../reconciliation/jobs.js';
import { actorOf, orgOf } from '../../auth.js';
import { commonErrors } from '../responses.js';
import { connectionSchema } from './schemas.js';

const bodySchema = z.object({
  provider: z.enum(CONNECTION_PROVIDERS),
  credentials: z
    .record(z.string(), z.unknown())
    .describe(
      'openai / anthropic: {admin_key}; azure-openai: {tenant_id, client_id, client_secret, resource_ids[]}; ' +
        'google-vertex: {service_account (the key file, object or JSON text), project_ids?[]}',
    ),
  base_url: z
    .string()
    .max(500)
    .optional()
    .describe('https only (proxies); loopback http needs TOKTRA_ALLOW_PRIVATE_URLS=1'),
  name: z.string().trim().min(1).max(100).optional(),
});

/** `POST /v1/provider-connections`: stores the credentials encrypted and starts the 30-day backfill. */
export function registerCreateConnection(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/v1/provider-connections',
    {
      schema: {
        tags: ['provider-connections'],
        summary: 'Connect a provider admin API',
        body: bodySchema,
        response: { 201: connectionSchema.extend({ sync_job_id: z.number() }), ...commonErrors },
      },
      config: { auth: auth.can('settings:manage', { keyScopes: ['write'] }) },
    },
    async (request, reply) => {
      const orgId = orgOf(request);
      const view = await createConnection(ctx, orgId, actorOf(request), request.body, (tx, id) =>
        queueSync(tx, orgId, id),
      );
      // The sync was queued with the connection; this finds its job (or a newer one).
      const jobId = await enqueueSync(ctx, orgId, view.id);
      return reply.code(201).send({ ...view, sync_job_id: jobId });
    },
  );
}
