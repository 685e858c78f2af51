import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { getDataRequest } from '../../../data-requests/service.js';
import { orgOf } from '../../auth.js';
import { commonErrors, idSchema } from '../responses.js';
import { DataRequest } from './schema.js';

/** `GET /v1/data-requests/{id}`. */
export function registerGetRequest(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/data-requests/:id',
    {
      schema: {
        tags: ['data-requests'],
        summary: 'One data subject request',
        params: z.object({ id: idSchema }),
        response: { 200: DataRequest, ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
    },
    async (request) => getDataRequest(ctx, orgOf(request), request.params.id),
  );
}
