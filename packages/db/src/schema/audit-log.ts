import type { ColumnType, Generated } from 'kysely';

export type AuditActorType = 'user' | 'api_key' | 'system' | 'cli' | 'device';

/**
 * Append-only, hash-chained per org: `hash = sha256(prev_hash + canonical(entry))`. A trigger
 * refuses UPDATE and DELETE, and the app role has neither privilege.
 */
export interface AuditLogTable {
  org_id: string;
  seq: number;
  at: Date;
  actor_type: AuditActorType;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  details: ColumnType<Record<string, unknown>, Record<string, unknown> | string, never>;
  prev_hash: string;
  hash: string;
  /** 1: the hash covers the values; 2: it covers `personal_commitment` (see audit/hash.ts). */
  format: Generated<number>;
  personal_salt: Generated<string | null>;
  personal_commitment: Generated<string | null>;
  /** Set when a DSAR erasure pseudonymised this entry (its salt is gone). */
  redacted_at: Generated<Date | null>;
}

export interface PartialDB {
  audit_log: AuditLogTable;
}
