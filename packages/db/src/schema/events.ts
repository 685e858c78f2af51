import type { ColumnType } from 'kysely';

export const EVENT_SOURCES = ['agent', 'proxy', 'extension', 'api'] as const;
export type EventSource = (typeof EVENT_SOURCES)[number];

/**
 * One observed AI connection (agent/proxy/extension) or one reported call (API). Metadata only:
 * never content. `id` is the client's UUIDv7, unique per org, so resends dedupe.
 */
export interface EventsTable {
  org_id: string;
  id: string;
  occurred_at: Date;
  ended_at: Date | null;
  received_at: ColumnType<Date, Date | undefined, never>;
  device_id: string | null;
  api_key_id: string | null;
  user_id: string | null;
  department_id: string | null;
  manager_id: string | null;
  os_user: string | null;
  source: EventSource;
  host: string | null;
  provider: string;
  product: string;
  category: string;
  /** Null unless the source knows it (SNI cannot see the model). */
  model: string | null;
  transport: 'tcp' | 'quic' | null;
  bytes_up: number;
  bytes_down: number;
  duration_ms: number | null;
  est_input_tokens: number;
  est_output_tokens: number;
  /** e.g. `bytes:v1:openai/api`, or `reported` for counts a source reported itself. */
  token_method: string;
}

export interface PartialDB {
  events: EventsTable;
}
