import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { filterToReach } from '../../../auth/reach.js';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { listDevices } from '../../../devices/service.js';
import { orgOf, requestScope } from '../../auth.js';
import { pageQuerySchema } from '../pagination.js';
import { deviceSchema } from './device-schema.js';

/** `GET /v1/devices`: the org's enrolled devices, oldest first, cursor-paginated. */
export function registerListDevices(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/devices',
    {
      schema: {
        tags: ['devices'],
        summary: 'List devices',
        querystring: pageQuerySchema,
        response: { 200: z.object({ data: z.array(deviceSchema), next_cursor: z.string().nullable() }) },
      },
      config: { auth: auth.can('devices:read') },
    },
    async (request) => {
      // Managers see their subtree's devices; employees use /v1/me/devices.
      const page = await listDevices(ctx.db, orgOf(request), request.query);
      return { ...page, data: await filterToReach(ctx.db, requestScope(request), page.data) };
    },
  );
}
