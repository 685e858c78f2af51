import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { deleteConnection } from '../../../reconciliation/connections.js';
import { actorOf, orgOf } from '../../auth.js';
import { commonErrors } from '../responses.js';
import { idParams } from './schemas.js';

/** `DELETE /v1/provider-connections/{id}`: forgets the credentials and the usage it reported. */
export function registerDeleteConnection(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().delete(
    '/v1/provider-connections/:id',
    {
      schema: {
        tags: ['provider-connections'],
        summary: 'Delete a provider connection',
        params: idParams,
        response: { 204: z.null().describe('deleted'), ...commonErrors },
      },
      config: { auth: auth.can('settings:manage', { keyScopes: ['write'] }) },
    },
    async (request, reply) => {
      await deleteConnection(ctx, orgOf(request), actorOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
}
