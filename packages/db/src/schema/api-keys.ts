import type { ColumnType, Generated } from 'kysely';

export const API_KEY_SCOPES = ['read', 'write', 'ingest', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export interface ApiKeysTable {
  id: Generated<string>;
  org_id: string;
  name: string;
  /** Public, unique lookup part of the key; the secret is stored only as a SHA-256 hash. */
  key_prefix: string;
  key_hash: string;
  scopes: ApiKeyScope[];
  created_at: ColumnType<Date, never, never>;
  last_used_at: Date | null;
  expires_at: Date | null;
  revoked_at: Date | null;
}

export interface PartialDB {
  api_keys: ApiKeysTable;
}
