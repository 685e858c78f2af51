import { AppError } from '@toktra/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../auth/route-auth.js';
import type { AppContext } from '../context.js';
import { sealedEntrySchema } from '../http/v1/perks/shared.js';
import { keysForDevice } from '../perks/device-keys.js';
import { appendPersonalEntries } from '../perks/ledger.js';

/** A device ships personal entries in batches like corporate events, but far fewer. */
export const MAX_PERSONAL_ENTRIES = 1000;

const keysBody = z
  .object({ os_users: z.array(z.string().trim().min(1).max(256)).max(64).default([]) })
  .strict();
const personalBody = z.object({ entries: z.array(sealedEntrySchema).min(1) }).strict();

/**
 * Token Perks over the device's mTLS channel. The agent asks for the public keys of the people its
 * personal-mode events belong to, seals each event on the device, and sends ciphertext here — a
 * write path of its own, apart from `/ingest/v1/batches` and everything behind it.
 */
export function registerPerkIngestRoutes(app: FastifyInstance, ctx: AppContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const deviceOf = (device: { orgId: string; deviceId: string } | undefined) => {
    if (!device) throw new AppError('unauthorized', 'a device certificate is required');
    return device;
  };

  // No per-request info log: "this device posted personal entries at 14:03" is itself metadata.
  typed.post(
    '/ingest/v1/personal/keys',
    { schema: { body: keysBody }, logLevel: 'warn', config: { auth: auth.device() } },
    async (request) => {
      const { orgId, deviceId } = deviceOf(request.device);
      return keysForDevice(ctx, orgId, deviceId, request.body.os_users);
    },
  );

  typed.post(
    '/ingest/v1/personal',
    { schema: { body: personalBody }, logLevel: 'warn', config: { auth: auth.device() } },
    async (request) => {
      const { orgId, deviceId } = deviceOf(request.device);
      if (request.body.entries.length > MAX_PERSONAL_ENTRIES) {
        throw new AppError('payload_too_large', `at most ${MAX_PERSONAL_ENTRIES} entries per request`);
      }
      return appendPersonalEntries(ctx, orgId, deviceId, request.body.entries);
    },
  );
}
