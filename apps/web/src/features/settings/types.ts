/** Shapes of the provider-connections API (apps/server/src/http/v1/provider-connections). */
export type ConnectionProvider = 'openai' | 'anthropic' | 'azure-openai' | 'google-vertex';

export const CONNECTION_PROVIDERS: Array<{ value: ConnectionProvider; label: string }> = [
  { value: 'openai', label: 'OpenAI' },
  { value: 'anthropic', label: 'Anthropic' },
  { value: 'azure-openai', label: 'Azure OpenAI' },
  { value: 'google-vertex', label: 'GCP Vertex AI' },
];

export interface ConnectionRow {
  id: string;
  provider: ConnectionProvider;
  name: string;
  base_url: string | null;
  /** A masked hint; the credentials themselves are write-only. */
  credentials_hint: string;
  status: 'pending' | 'healthy' | 'unhealthy';
  last_error: string | null;
  last_synced_at: string | null;
  backfilled_at: string | null;
  created_at: string;
}

export interface ConnectionTest {
  ok: boolean;
  message: string;
}
