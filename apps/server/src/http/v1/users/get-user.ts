import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { getUser } from '../../../users/service.js';
import { orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors, idSchema } from '../responses.js';
import { toUserJson, userSchema } from './user-schema.js';

/** `GET /v1/users/{id}`. */
export function registerGetUser(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: 'Get a user',
        params: z.object({ id: idSchema }),
        response: { 200: userSchema, ...commonErrors },
      },
      config: { auth: auth.apiKey('read') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => toUserJson(await getUser(ctx.db, orgOf(request), request.params.id)),
  );
}
