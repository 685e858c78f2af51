import { AppError } from '@toktra/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../auth/route-auth.js';
import type { AppContext } from '../context.js';
import { recordHeartbeat } from '../devices/service.js';
import type { DeviceIdentity } from '../pki/identity.js';
import { ingestBatch } from '../usage/ingest.js';

/** Agents send 50 events at a time; backfills after an outage may send up to this many. */
export const MAX_EVENTS_PER_BATCH = 5000;

declare module 'fastify' {
  interface FastifyRequest {
    device?: DeviceIdentity;
  }
}

export function deviceOf(request: FastifyRequest): DeviceIdentity {
  if (!request.device) throw new AppError('unauthorized', 'a device certificate is required');
  return request.device;
}

// The org is never read from the body: unknown keys (an "org_id", say) are stripped here.
const batchBody = z.object({ events: z.array(z.unknown()) });

export const heartbeatBody = z.object({
  agent_version: z.string().trim().min(1).max(64),
  queue_depth: z.number().int().min(0).max(1_000_000_000),
  privacy_state: z.enum(['off', 'configured', 'active']),
  capture: z
    .object({ drops: z.number().int().min(0) })
    .catchall(z.union([z.number(), z.string().max(200), z.boolean()]))
    .refine((c) => Object.keys(c).length <= 32, 'at most 32 capture counters'),
});

export function registerIngestRoutes(app: FastifyInstance, ctx: AppContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();

  typed.post(
    '/ingest/v1/batches',
    { schema: { body: batchBody }, config: { auth: auth.device() } },
    async (request) => {
      const { orgId, deviceId } = deviceOf(request);
      const { events } = request.body;
      if (events.length > MAX_EVENTS_PER_BATCH) {
        throw new AppError(
          'payload_too_large',
          `a batch holds at most ${MAX_EVENTS_PER_BATCH} events, got ${events.length}; split it`,
        );
      }
      return ingestBatch(ctx, orgId, { type: 'device', deviceId }, events);
    },
  );

  typed.post(
    '/ingest/v1/heartbeat',
    { schema: { body: heartbeatBody }, config: { auth: auth.device() } },
    async (request) => {
      const { orgId, deviceId } = deviceOf(request);
      const beat = request.body;
      await recordHeartbeat(ctx.db, orgId, deviceId, {
        agentVersion: beat.agent_version,
        queueDepth: beat.queue_depth,
        privacyState: beat.privacy_state,
        capture: beat.capture,
      });
      return { ok: true, device_id: deviceId };
    },
  );
}
