import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { appendAudit } from '../../../audit/service.js';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { testConnection } from '../../../reconciliation/connections.js';
import { actorOf, orgOf } from '../../auth.js';
import { commonErrors } from '../responses.js';
import { idParams } from './schemas.js';

/**
 * `POST /v1/provider-connections/{id}/test` ("Test connection"): one authenticated call to the
 * provider; a rejection is a 200 with `ok: false` and the provider's error stated plainly.
 */
export function registerTestConnection(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/v1/provider-connections/:id/test',
    {
      schema: {
        tags: ['provider-connections'],
        summary: 'Test a provider connection',
        params: idParams,
        response: { 200: z.object({ ok: z.boolean(), message: z.string() }), ...commonErrors },
      },
      config: { auth: auth.can('settings:manage', { keyScopes: ['write'] }) },
    },
    async (request) => {
      const orgId = orgOf(request);
      const result = await testConnection(ctx, orgId, request.params.id);
      await ctx.db.withTenant(orgId, (tx) =>
        appendAudit(tx, orgId, actorOf(request), {
          action: 'provider_connection.test',
          targetType: 'provider_connection',
          targetId: request.params.id,
          details: { ok: result.ok },
        }),
      );
      return result;
    },
  );
}
