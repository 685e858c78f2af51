import { AppError } from '@toktra/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listOwnDevices } from '../../../auth/me.js';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { principalOf } from '../../auth.js';

const Device = z.object({
  id: z.string(),
  hostname: z.string(),
  os: z.string().nullable(),
  agent_version: z.string().nullable(),
  status: z.string(),
  last_seen_at: z.string().nullable(),
  privacy_state: z.string().nullable(),
});

/** `GET /v1/me/devices`: the signed-in user's own devices (employee portal). */
export function registerListMyDevices(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/me/devices',
    {
      schema: { tags: ['me'], summary: 'My devices', response: { 200: z.object({ data: z.array(Device) }) } },
      config: { auth: auth.can('portal:view') },
    },
    async (request) => {
      const principal = principalOf(request);
      if (!principal.userId) throw new AppError('bad_request', 'an API key has no devices of its own');
      return { data: await listOwnDevices(ctx.db, principal.orgId, principal.userId) };
    },
  );
}
