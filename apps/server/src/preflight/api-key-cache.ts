import { createHash } from 'node:crypto';
import type { Principal } from '../auth/permissions.js';
import { principalFromApiKey } from '../auth/principal.js';
import type { AppContext } from '../context.js';

const TTL_MS = 10_000;
const MAX_ENTRIES = 10_000;
const cache = new Map<string, { principal: Principal; expiresAt: number }>();

/**
 * API-key authentication for the preflight hot path: a verified key is remembered (by its hash)
 * for 10 s, so a steady stream of preflights costs no database round trip. A revoked key stops
 * working within that TTL. Invalid keys are never cached.
 */
export async function principalForPreflight(ctx: AppContext, presented: string): Promise<Principal> {
  const id = createHash('sha256').update(presented).digest('base64url');
  const now = Date.now();
  const hit = cache.get(id);
  if (hit && hit.expiresAt > now) return hit.principal;
  const principal = await principalFromApiKey(ctx.db, presented);
  if (cache.size >= MAX_ENTRIES) cache.clear();
  cache.set(id, { principal, expiresAt: now + TTL_MS });
  return principal;
}
