import type { ColumnType } from 'kysely';

/** GitHub login (lower-case) → org user, for attributing risk events. */
export interface GithubUserMappingsTable {
  org_id: string;
  login: string;
  user_id: string;
  created_at: ColumnType<Date, never, never>;
}

export interface PartialDB {
  github_user_mappings: GithubUserMappingsTable;
}
