import type { ColumnType } from 'kysely';

export const CONNECTION_PROVIDERS = ['openai', 'anthropic', 'azure-openai', 'google-vertex'] as const;
export type ConnectionProvider = (typeof CONNECTION_PROVIDERS)[number];
export type ConnectionStatus = 'pending' | 'healthy' | 'unhealthy';

/**
 * A connection to a provider's admin usage API. `credentials_enc` is an envelope-encrypted blob
 * (apps/server/src/secrets); no API ever returns it, only `credentials_hint`.
 */
export interface ProviderConnectionsTable {
  id: string;
  org_id: string;
  provider: ConnectionProvider;
  name: string;
  base_url: string | null;
  credentials_enc: string;
  credentials_hint: string;
  status: ColumnType<ConnectionStatus, ConnectionStatus | undefined, ConnectionStatus>;
  last_error: string | null;
  last_synced_at: Date | null;
  /** When the first ≥ 30-day backfill completed; null until then. */
  backfilled_at: Date | null;
  consecutive_failures: ColumnType<number, number | undefined, number>;
  /** Backoff: the recurring poll skips the connection until then. */
  next_poll_at: Date | null;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface PartialDB {
  provider_connections: ProviderConnectionsTable;
}
