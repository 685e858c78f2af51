import type { ColumnType } from 'kysely';

/**
 * Token counts a provider reported for one bucket and dimension tuple. Overwritten by each poll
 * of its window (never added to), so a re-read changes nothing. `input_tokens` includes cached
 * reads and cache writes on every provider (normalised by the clients).
 */
export interface ReconciledUsageTable {
  org_id: string;
  connection_id: string;
  provider: string;
  bucket_start: Date;
  bucket_width: '1h' | '1d';
  model: string | null;
  /** OpenAI project, GCP project, or Azure account (the provider's own grouping). */
  project_id: string | null;
  /** Anthropic workspace. */
  workspace_id: string | null;
  api_key_id: string | null;
  input_tokens: number;
  cached_input_tokens: number;
  cache_write_tokens: number;
  output_tokens: number;
  requests: number | null;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface PartialDB {
  reconciled_usage: ReconciledUsageTable;
}
