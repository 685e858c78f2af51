import type { Catalogue } from '@toktra/core';
import type { Tx } from '@toktra/db';
import { loadOrgCatalogue, loadOrgFacts, type OrgFacts } from './enrich.js';

/**
 * Org facts (time zone, retention, ratios) and the org's catalogue change rarely but are needed
 * by every batch, so each process keeps them for a few seconds instead of two queries per batch.
 * A change made through this process (a catalogue entry) invalidates at once; a change on
 * another node applies within TTL_MS. Keyed by the context, so test contexts never share.
 */
const TTL_MS = 5_000;

interface Entry {
  facts: OrgFacts;
  catalogue: Catalogue;
  loadedAt: number;
}

const caches = new WeakMap<object, Map<string, Entry>>();

function cacheOf(owner: object): Map<string, Entry> {
  let cache = caches.get(owner);
  if (!cache) {
    cache = new Map();
    caches.set(owner, cache);
  }
  return cache;
}

export async function loadOrgIngestConfig(owner: object, tx: Tx, orgId: string): Promise<Entry> {
  const cache = cacheOf(owner);
  const hit = cache.get(orgId);
  if (hit && Date.now() - hit.loadedAt < TTL_MS) return hit;
  // Read inside the batch's own transaction: RLS applies and an unknown org is `not_found`.
  const entry = {
    facts: await loadOrgFacts(tx, orgId),
    catalogue: await loadOrgCatalogue(tx, orgId),
    loadedAt: Date.now(),
  };
  cache.set(orgId, entry);
  return entry;
}

/** Drops an org's cached config (call after changing its catalogue or settings). */
export function invalidateOrgIngestConfig(owner: object, orgId: string): void {
  caches.get(owner)?.delete(orgId);
}
