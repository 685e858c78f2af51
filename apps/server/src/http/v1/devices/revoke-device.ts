import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { revokeDevice } from '../../../devices/service.js';
import { actorOf, orgOf } from '../../auth.js';
import { deviceParamsSchema, deviceSchema } from './device-schema.js';

/** `POST /v1/devices/{id}/revoke`: the ingest server refuses the device within seconds. */
export function registerRevokeDevice(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/v1/devices/:id/revoke',
    {
      schema: {
        tags: ['devices'],
        summary: 'Revoke a device certificate',
        params: deviceParamsSchema,
        response: { 200: deviceSchema },
      },
      config: { auth: auth.can('devices:revoke') },
    },
    async (request) => revokeDevice(ctx, orgOf(request), request.params.id, actorOf(request)),
  );
}
