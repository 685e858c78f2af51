import type { ColumnType } from 'kysely';

/** Per-org GitHub webhook settings; `webhook_secret` is encrypted (apps/server/src/secrets). */
export interface GithubIntegrationsTable {
  org_id: string;
  webhook_secret: string;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface PartialDB {
  github_integrations: GithubIntegrationsTable;
}
