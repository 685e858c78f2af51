import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { setOsUserMapping } from '../../../users/os-user-mappings.js';
import { actorOf, orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors, idSchema } from '../responses.js';

const bodySchema = z.object({
  os_user: z.string().trim().min(1).max(256).describe('the OS account name, compared case-insensitively'),
  user_id: idSchema.describe('the org user that OS account belongs to'),
  device_id: idSchema.nullish().describe('limit the mapping to one device; omit for an org-wide mapping'),
});

export const mappingSchema = z.object({
  id: z.string(),
  os_user: z.string(),
  user_id: z.string(),
  device_id: z.string().nullable(),
});

/**
 * `POST /v1/os-user-mappings`: attributes an OS account to an org user, org-wide or on one
 * device (the device's mapping wins, then the org-wide one, then the device owner). Applies to
 * events ingested from now on. Setting the same (device, os_user) again replaces the user.
 */
export function registerCreateOsUserMapping(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/v1/os-user-mappings',
    {
      schema: {
        tags: ['users'],
        summary: 'Map an OS user to an org user',
        body: bodySchema,
        response: { 200: mappingSchema, ...commonErrors },
      },
      config: { auth: auth.can('users:write') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => {
      return setOsUserMapping(ctx.db, orgOf(request), actorOf(request), {
        osUser: request.body.os_user,
        userId: request.body.user_id,
        deviceId: request.body.device_id ?? null,
      });
    },
  );
}
