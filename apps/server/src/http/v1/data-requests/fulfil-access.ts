import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { fulfilAccess } from '../../../data-requests/service.js';
import { actorOf, orgOf } from '../../auth.js';
import { commonErrors, errorSchema, idSchema } from '../responses.js';
import { DataRequest } from './schema.js';

/** `POST /v1/data-requests/{id}/fulfil`: builds the access export (JSON + CSV) and closes the request. */
export function registerFulfilAccess(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/v1/data-requests/:id/fulfil',
    {
      schema: {
        tags: ['data-requests'],
        summary: 'Fulfil an access request (export everything about the person)',
        params: z.object({ id: idSchema }),
        response: {
          200: DataRequest,
          409: errorSchema.describe('not an open access request'),
          ...commonErrors,
        },
      },
      config: { auth: auth.can('settings:manage') },
    },
    async (request) => fulfilAccess(ctx, orgOf(request), actorOf(request), request.params.id),
  );
}
