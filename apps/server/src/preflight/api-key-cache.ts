import { createHash } from 'node:crypto';
import type { Principal } from '../auth/permissions.js';
import { principalFromApiKey } from '../auth/principal.js';
import type { AppContext } from '../context.js';

const TTL_MS = 10_000;
const MAX_ENTRIES = 10_000;

/**
 * Verified API keys (by hash) for the preflight hot path, so a steady stream of preflights costs
 * no database round trip. Entries live 10 s; an `api_key.revoked` event clears the cache in
 * every process (events/caches.ts). Invalid keys are never cached.
 */
export class ApiKeyCache {
  private readonly entries = new Map<string, { principal: Principal; expiresAt: number }>();

  get(id: string, now: number): Principal | undefined {
    const hit = this.entries.get(id);
    return hit && hit.expiresAt > now ? hit.principal : undefined;
  }

  set(id: string, principal: Principal, now: number): void {
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(id, { principal, expiresAt: now + TTL_MS });
  }

  clear(): void {
    this.entries.clear();
  }
}

/** API-key authentication for the preflight hot path, through `ctx.caches.apiKeys`. */
export async function principalForPreflight(ctx: AppContext, presented: string): Promise<Principal> {
  const id = createHash('sha256').update(presented).digest('base64url');
  const now = Date.now();
  const hit = ctx.caches.apiKeys.get(id, now);
  if (hit) return hit;
  const principal = await principalFromApiKey(ctx.db, presented);
  ctx.caches.apiKeys.set(id, principal, now);
  return principal;
}
