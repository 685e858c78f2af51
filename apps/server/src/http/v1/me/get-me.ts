import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { describePrincipal } from '../../../auth/me.js';
import { PERMISSIONS } from '../../../auth/permissions.js';
import { auth } from '../../../auth/route-auth.js';
import { csrfTokenFor } from '../../../auth/sessions.js';
import type { AppContext } from '../../../context.js';
import { principalOf } from '../../auth.js';

const MeResponse = z.object({
  user: z
    .object({
      id: z.string(),
      email: z.string(),
      name: z.string(),
      role: z.string(),
      department_id: z.string().nullable(),
      department_name: z.string().nullable(),
    })
    .nullable(),
  org: z.object({ id: z.string(), name: z.string(), time_zone: z.string() }),
  principal: z.object({
    kind: z.enum(['api_key', 'user']),
    role: z.string(),
    reach: z.enum(['org', 'subtree', 'self']),
    department_ids: z.array(z.string()).nullable(),
  }),
  permissions: z.array(z.enum(PERMISSIONS)),
  csrf_token: z.string().nullable(),
});

/** `GET /v1/me`: the caller, their org and the permissions the UI should honour. */
export function registerGetMe(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/me',
    {
      schema: { tags: ['me'], summary: 'The caller and what they may do', response: { 200: MeResponse } },
      // Any authenticated caller may ask who they are: no particular permission is required.
      config: { auth: auth.signedIn() },
    },
    async (request) => {
      const me = await describePrincipal(ctx.db, principalOf(request));
      return { ...me, csrf_token: request.sessionToken ? csrfTokenFor(request.sessionToken) : null };
    },
  );
}
