import type { ColumnType, Generated } from 'kysely';

/** OS account name (lower-cased) → org user; `device_id` null is the org-wide default. */
export interface OsUserMappingsTable {
  id: Generated<string>;
  org_id: string;
  device_id: string | null;
  os_user: string;
  user_id: string;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface PartialDB {
  os_user_mappings: OsUserMappingsTable;
}
