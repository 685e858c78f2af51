import { AppError } from '@toktra/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { filterToReach } from '../../../auth/reach.js';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { getDevice } from '../../../devices/service.js';
import { orgOf, requestScope } from '../../auth.js';
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
      config: { auth: auth.can('devices:read') },
    },
    async (request) => {
      const device = await getDevice(ctx.db, orgOf(request), request.params.id);
      const [visible] = await filterToReach(ctx.db, requestScope(request), [device]);
      if (!visible) throw new AppError('not_found', `device ${request.params.id} not found`);
      return visible;
    },
  );
}
