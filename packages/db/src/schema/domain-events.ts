import type { ColumnType, Generated } from 'kysely';

/** The outbox of domain events (see the 20261207T071500 migration). */
export interface DomainEventsTable {
  org_id: string;
  id: Generated<number>;
  kind: string;
  payload: ColumnType<Record<string, unknown>, string, never>;
  /** The server process that wrote it: a process skips its own events in the feed. */
  origin: string;
  created_at: ColumnType<Date, never, never>;
}

/** One row per (event, handler) that has run: what makes a redelivery a no-op. */
export interface DomainEventReceiptsTable {
  org_id: string;
  event_id: number;
  handler: string;
  handled_at: ColumnType<Date, never, never>;
}

export interface PartialDB {
  domain_events: DomainEventsTable;
  domain_event_receipts: DomainEventReceiptsTable;
}
