import type { ColumnType } from 'kysely';

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
}

export interface PartialDB {
  audit_log: AuditLogTable;
}
