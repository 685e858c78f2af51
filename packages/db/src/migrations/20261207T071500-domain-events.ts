import { type Kysely, sql } from 'kysely';
import { APP_ROLE, enableTenantRls } from '../rls.js';

/**
 * The outbox of domain events (apps/server/src/events): each row is written in the transaction
 * that caused it, so an event exists iff its cause committed. A job (`events.dispatch`, queued in
 * the same transaction) runs the registered handlers at least once; a receipt per (event,
 * handler) makes a redelivery a no-op. Other server processes learn of events through
 * `NOTIFY toktra_events` and read them from here (also to catch up after a reconnect).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE domain_events (
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    id bigserial NOT NULL,
    kind text NOT NULL,
    payload jsonb NOT NULL DEFAULT '{}',
    origin text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (org_id, id)
  )`.execute(db);
  // The cross-process feed reads "everything after id N" across orgs (as the owner).
  await sql`CREATE INDEX domain_events_feed ON domain_events (id)`.execute(db);
  // DELETE for erasure (rows naming a person); the owner prunes old rows.
  await enableTenantRls(db, 'domain_events', { privileges: ['SELECT', 'INSERT', 'DELETE'] });
  await sql`GRANT USAGE ON SEQUENCE domain_events_id_seq TO ${sql.id(APP_ROLE)}`.execute(db);

  await sql`CREATE TABLE domain_event_receipts (
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    event_id bigint NOT NULL,
    handler text NOT NULL,
    handled_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, event_id, handler),
    FOREIGN KEY (org_id, event_id) REFERENCES domain_events (org_id, id) ON DELETE CASCADE
  )`.execute(db);
  await enableTenantRls(db, 'domain_event_receipts', { privileges: ['SELECT', 'INSERT'] });

  // Idempotency key per webhook message: a redelivered event does not send a second message.
  await sql`ALTER TABLE webhook_deliveries ADD COLUMN event_key text`.execute(db);
  await sql`CREATE UNIQUE INDEX webhook_deliveries_event_key
    ON webhook_deliveries (org_id, endpoint_id, event_key) WHERE event_key IS NOT NULL`.execute(db);
}
