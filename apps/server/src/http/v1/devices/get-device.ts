import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../../../context.js';
import { getDevice } from '../../../devices/service.js';
import { orgOf, requireApiKey } from '../../auth.js';
import { deviceParamsSchema, deviceSchema } from './device-schema.js';

/** `GET /v1/devices/{id}`: one device of the caller's org; any other id is 404. */
export function registerGetDevice(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/devices/:id',
    {
      schema: {
        tags: ['devices'],
        summary: 'Get a device',
        params: deviceParamsSchema,
        response: { 200: deviceSchema },
      },
      preHandler: requireApiKey(ctx, 'read'),
    },
    async (request) => getDevice(ctx.db, orgOf(request), request.params.id),
  );
}
