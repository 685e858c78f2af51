import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { listConnections } from '../../../reconciliation/connections.js';
import { orgOf } from '../../auth.js';
import { commonErrors } from '../responses.js';
import { connectionSchema } from './schemas.js';

/** `GET /v1/provider-connections`: every connection with its health, never its credentials. */
export function registerListConnections(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/provider-connections',
    {
      schema: {
        tags: ['provider-connections'],
        summary: 'List provider connections',
        response: { 200: z.object({ data: z.array(connectionSchema) }), ...commonErrors },
      },
      config: { auth: auth.can('settings:manage', { keyScopes: ['read', 'write'] }) },
    },
    async (request) => ({ data: await listConnections(ctx.db, orgOf(request)) }),
  );
}
