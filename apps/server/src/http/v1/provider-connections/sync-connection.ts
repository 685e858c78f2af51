import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { appendAudit } from '../../../audit/service.js';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { findConnection } from '../../../reconciliation/connections.js';
import { enqueueSync } from '../../../reconciliation/jobs.js';
import { actorOf, orgOf } from '../../auth.js';
import { commonErrors } from '../responses.js';
import { idParams } from './schemas.js';

/** `POST /v1/provider-connections/{id}/sync`: poll now. Enqueues (or joins) the sync job. */
export function registerSyncConnection(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/v1/provider-connections/:id/sync',
    {
      schema: {
        tags: ['provider-connections'],
        summary: 'Poll a provider now',
        params: idParams,
        response: { 202: z.object({ job_id: z.number() }), ...commonErrors },
      },
      config: { auth: auth.can('settings:manage', { keyScopes: ['write'] }) },
    },
    async (request, reply) => {
      const orgId = orgOf(request);
      await ctx.db.withTenant(orgId, async (tx) => {
        await findConnection(tx, orgId, request.params.id);
        await appendAudit(tx, orgId, actorOf(request), {
          action: 'provider_connection.sync',
          targetType: 'provider_connection',
          targetId: request.params.id,
        });
      });
      return reply.code(202).send({ job_id: await enqueueSync(ctx, orgId, request.params.id) });
    },
  );
}
