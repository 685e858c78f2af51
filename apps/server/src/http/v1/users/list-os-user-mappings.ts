import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { listOsUserMappings } from '../../../users/os-user-mappings.js';
import { orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors } from '../responses.js';
import { mappingSchema } from './create-os-user-mapping.js';

/** `GET /v1/os-user-mappings`: which OS accounts count as which user (org-wide and per device). */
export function registerListOsUserMappings(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/os-user-mappings',
    {
      schema: {
        tags: ['users'],
        summary: 'List OS user mappings',
        response: { 200: z.object({ data: z.array(mappingSchema) }), ...commonErrors },
      },
      config: { auth: auth.orgWide('users:read') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => ({ data: await listOsUserMappings(ctx.db, orgOf(request)) }),
  );
}
