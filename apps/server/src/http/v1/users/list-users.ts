import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { listUsers } from '../../../users/service.js';
import { orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { pageQuerySchema } from '../pagination.js';
import { commonErrors } from '../responses.js';
import { toUserJson, userSchema } from './user-schema.js';

/** `GET /v1/users`: the org’s users, cursor-paginated. */
export function registerListUsers(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/users',
    {
      schema: {
        tags: ['users'],
        summary: 'List users',
        querystring: pageQuerySchema,
        response: {
          200: z.object({ data: z.array(userSchema), next_cursor: z.string().nullable() }),
          ...commonErrors,
        },
      },
      config: { auth: auth.orgWide('users:read') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => {
      const page = await listUsers(ctx.db, orgOf(request), request.query);
      return { data: page.data.map(toUserJson), next_cursor: page.next_cursor };
    },
  );
}
