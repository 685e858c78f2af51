import type { ColumnType, Generated } from 'kysely';

/** An outgoing webhook target; `secret` is the encrypted `whsec_…` signing key. */
export interface WebhookEndpointsTable {
  id: Generated<string>;
  org_id: string;
  url: string;
  description: string;
  /** Event types it receives; empty = every type. */
  event_types: string[];
  secret: string;
  enabled: Generated<boolean>;
  disabled_reason: string | null;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface PartialDB {
  webhook_endpoints: WebhookEndpointsTable;
}
