import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { listDataRequests } from '../../../data-requests/service.js';
import { orgOf } from '../../auth.js';
import { commonErrors } from '../responses.js';
import { DataRequest } from './schema.js';

/** `GET /v1/data-requests`: the admin queue — open requests first, the most urgent on top. */
export function registerListRequests(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/data-requests',
    {
      schema: {
        tags: ['data-requests'],
        summary: 'Data subject request queue',
        querystring: z.object({ status: z.enum(['open', 'completed', 'rejected']).optional() }).strict(),
        response: { 200: z.object({ data: z.array(DataRequest) }), ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
    },
    async (request) => ({
      data: await listDataRequests(ctx, orgOf(request), { status: request.query.status }),
    }),
  );
}
