import { createHash, randomBytes } from 'node:crypto';

export interface ChainedEntry {
  /** 1 (absent): the hash covers the personal fields' values; 2: their salted commitment. */
  format?: number;
  personal_commitment?: string | null;
  org_id: string;
  seq: number;
  at: Date;
  actor_type: string;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  details: unknown;
}

/** JSON with object keys sorted at every depth, so the same entry always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The fields an erasure may have to pseudonymise: who acted, on whom, and the free-form details. */
export interface PersonalFields {
  actor_id: string | null;
  target_id: string | null;
  details: unknown;
}

export function newSalt(): string {
  return randomBytes(32).toString('hex');
}

/**
 * A hiding, binding commitment to an entry's personal fields: sha256(salt + canonical fields).
 * With the 256-bit random salt it reveals nothing about the values; erasure replaces the values
 * and drops the salt, and the chain (which hashes only the commitment) still verifies.
 */
export function commitPersonal(salt: string, fields: PersonalFields): string {
  const body = canonicalJson({
    actor_id: fields.actor_id,
    target_id: fields.target_id,
    details: fields.details,
  });
  return createHash('sha256').update(salt).update('\n').update(body).digest('hex');
}

export function hashEntry(prevHash: string, entry: ChainedEntry): string {
  if (entry.format === 2) {
    const body = canonicalJson({
      format: 2,
      org_id: entry.org_id,
      seq: entry.seq,
      at: entry.at.toISOString(),
      actor_type: entry.actor_type,
      action: entry.action,
      target_type: entry.target_type,
      personal: entry.personal_commitment ?? null,
    });
    return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
  }
  // Only the chained fields: a stored row also carries prev_hash and hash.
  const body = canonicalJson({
    org_id: entry.org_id,
    seq: entry.seq,
    at: entry.at.toISOString(),
    actor_type: entry.actor_type,
    actor_id: entry.actor_id,
    action: entry.action,
    target_type: entry.target_type,
    target_id: entry.target_id,
    details: entry.details,
  });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}
