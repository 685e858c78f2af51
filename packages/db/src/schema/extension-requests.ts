import type { ColumnType } from 'kysely';

/**
 * One LLM request the extension observed: metadata only, never a body or a non-AI URL.
 * `counted_*` is what this request added to `events` (zero when the agent's event for the same
 * connection already counted it); `agent_event_id` links that agent event.
 */
export interface ExtensionRequestsTable {
  org_id: string;
  id: string;
  browser_id: string;
  user_id: string;
  host: string;
  provider: string;
  /** chat, completions, embeddings, images, audio, … (see apps/extension/src/path-class.ts). */
  path_class: string;
  method: string;
  model: string | null;
  status_code: number | null;
  started_at: Date;
  ended_at: Date | null;
  bytes_up: number;
  bytes_down: number;
  est_input_tokens: number;
  est_output_tokens: number;
  counted_bytes_up: number;
  counted_bytes_down: number;
  counted_input_tokens: number;
  counted_output_tokens: number;
  agent_event_id: string | null;
  received_at: ColumnType<Date, Date | undefined, never>;
}

export interface PartialDB {
  extension_requests: ExtensionRequestsTable;
}
