import type { ColumnType, Generated } from 'kysely';

export type ExtensionEnrollment = 'sign_in' | 'managed_policy';

/** A browser running the Toktra extension, enrolled for one user (see docs/extension.md). */
export interface ExtensionBrowsersTable {
  id: Generated<string>;
  org_id: string;
  user_id: string;
  /** SHA-256 (hex) of the extension token; the token itself is shown to the extension once. */
  token_hash: string;
  enrolled_via: ExtensionEnrollment;
  name: string;
  extension_version: string | null;
  created_at: ColumnType<Date, never, never>;
  last_seen_at: Date | null;
  last_sync_at: Date | null;
  revoked_at: Date | null;
}

export interface PartialDB {
  extension_browsers: ExtensionBrowsersTable;
}
