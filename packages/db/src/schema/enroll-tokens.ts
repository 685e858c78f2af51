import type { ColumnType, Generated } from 'kysely';

export interface EnrollTokensTable {
  id: Generated<string>;
  org_id: string;
  /** SHA-256 of the token; the token itself is shown once. */
  token_hash: string;
  max_uses: number;
  uses: Generated<number>;
  /** Devices enrolled with this token belong to this user. */
  owner_user_id: string | null;
  expires_at: Date;
  revoked_at: Date | null;
  created_at: ColumnType<Date, never, never>;
}

export interface PartialDB {
  enroll_tokens: EnrollTokensTable;
}
