import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../../context.js';
import { getDataRequest } from '../../../data-requests/service.js';
import { orgOf, requireAuth } from '../../auth.js';
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
      preHandler: requireAuth(ctx, 'settings:manage'),
    },
    async (request) => getDataRequest(ctx, orgOf(request), request.params.id),
  );
}
