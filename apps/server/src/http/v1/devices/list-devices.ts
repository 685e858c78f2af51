import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../../context.js';
import { listDevices } from '../../../devices/service.js';
import { orgOf, requireApiKey } from '../../auth.js';
import { deviceSchema } from './device-schema.js';

const querySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().min(1).max(200).optional(),
});

/** `GET /v1/devices`: the org's enrolled devices, oldest first, cursor-paginated. */
export function registerListDevices(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/devices',
    {
      schema: {
        tags: ['devices'],
        summary: 'List devices',
        querystring: querySchema,
        response: { 200: z.object({ data: z.array(deviceSchema), next_cursor: z.string().nullable() }) },
      },
      preHandler: requireApiKey(ctx, 'read'),
    },
    async (request) => listDevices(ctx.db, orgOf(request), request.query),
  );
}
