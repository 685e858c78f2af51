import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { getConnection } from '../../../reconciliation/connections.js';
import { orgOf } from '../../auth.js';
import { commonErrors } from '../responses.js';
import { connectionSchema, idParams } from './schemas.js';

/** `GET /v1/provider-connections/{id}`: one connection; another org's id answers 404. */
export function registerGetConnection(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/provider-connections/:id',
    {
      schema: {
        tags: ['provider-connections'],
        summary: 'Get a provider connection',
        params: idParams,
        response: { 200: connectionSchema, ...commonErrors },
      },
      config: { auth: auth.can('settings:manage', { keyScopes: ['read', 'write'] }) },
    },
    async (request) => getConnection(ctx.db, orgOf(request), request.params.id),
  );
}
