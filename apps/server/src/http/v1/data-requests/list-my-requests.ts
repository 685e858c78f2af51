import { AppError } from '@toktra/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { listDataRequests } from '../../../data-requests/service.js';
import { principalOf } from '../../auth.js';
import { commonErrors } from '../responses.js';
import { DataRequest } from './schema.js';

/** `GET /v1/me/data-requests`: the signed-in employee's own requests. */
export function registerListMyRequests(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/me/data-requests',
    {
      schema: {
        tags: ['data-requests'],
        summary: 'My data subject requests',
        response: { 200: z.object({ data: z.array(DataRequest) }), ...commonErrors },
      },
      config: { auth: auth.can('portal:view') },
    },
    async (request) => {
      const principal = principalOf(request);
      if (!principal.userId)
        throw new AppError('bad_request', 'an API key is not a person; sign in to the portal');
      return { data: await listDataRequests(ctx, principal.orgId, { subjectUserId: principal.userId }) };
    },
  );
}
