import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../auth/route-auth.js';
import type { AppContext } from '../context.js';
import { privacyForDevice } from '../privacy/device-privacy.js';
import { deviceOf } from './routes.js';

const query = z.object({
  // Local account names, comma-separated; the device's owner answers for any other account.
  os_users: z
    .string()
    .max(8192)
    .optional()
    .transform((v) => (v ? v.split(',').filter(Boolean) : []))
    .pipe(z.array(z.string().max(256)).max(256, 'at most 256 account names')),
});

/**
 * `GET /ingest/v1/privacy`: the portal Privacy Hours this device must enforce (mTLS: the device
 * is the client certificate's). The agent keeps the last answer on disk and enforces it offline.
 */
export function registerIngestPrivacyRoute(app: FastifyInstance, ctx: AppContext): void {
  app
    .withTypeProvider<ZodTypeProvider>()
    .get(
      '/ingest/v1/privacy',
      { schema: { querystring: query }, config: { auth: auth.device() } },
      async (request) => {
        const { orgId, deviceId } = deviceOf(request);
        return privacyForDevice(ctx.db, orgId, deviceId, request.query.os_users);
      },
    );
}
