import type { ColumnType, Generated } from 'kysely';

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'dead';

export interface DeliveryAttempt {
  at: string;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

/** The outbox: one message to one endpoint; `id` is its `webhook-id` on every attempt. */
export interface WebhookDeliveriesTable {
  id: Generated<string>;
  org_id: string;
  endpoint_id: string;
  event_type: string;
  payload: ColumnType<Record<string, unknown>, string, never>;
  status: Generated<WebhookDeliveryStatus>;
  attempts: Generated<number>;
  next_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  log: ColumnType<DeliveryAttempt[], string | undefined, string>;
  created_at: ColumnType<Date, never, never>;
  delivered_at: Date | null;
  /** Idempotency key of the message (e.g. `alert:<id>`): one delivery per endpoint and key. */
  event_key: ColumnType<string | null, string | null | undefined, never>;
}

export interface PartialDB {
  webhook_deliveries: WebhookDeliveriesTable;
}
