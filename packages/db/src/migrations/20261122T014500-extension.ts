import { type Kysely, sql } from 'kysely';
import { APP_ROLE, enableTenantRls } from '../rls.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Enrolled browsers (the MV3 extension). Each holds one token bound to a user and an org; only
  // its SHA-256 is stored, so a database read does not hand out live tokens. Revoked rows stay
  // (the admin's list shows them) until the user is erased.
  await sql`CREATE TABLE extension_browsers (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    user_id uuid NOT NULL,
    token_hash text NOT NULL UNIQUE,
    enrolled_via text NOT NULL CHECK (enrolled_via IN ('sign_in', 'managed_policy')),
    name text NOT NULL,
    extension_version text,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz,
    last_sync_at timestamptz,
    revoked_at timestamptz,
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
  )`.execute(db);
  await sql`CREATE UNIQUE INDEX extension_browsers_org_id ON extension_browsers (org_id, id)`.execute(db);
  await sql`CREATE INDEX extension_browsers_user ON extension_browsers (org_id, user_id)`.execute(db);
  await enableTenantRls(db, 'extension_browsers');

  // Every request the extension observed: metadata only (host, path class, model, sizes, timing).
  // It is counted in `events` on its own unless the agent saw the same connection: then
  // `agent_event_id` links it and `counted_*` hold only what it added (see docs/extension.md).
  await sql`CREATE TABLE extension_requests (
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    browser_id uuid NOT NULL,
    user_id uuid NOT NULL,
    host text NOT NULL,
    provider text NOT NULL,
    path_class text NOT NULL,
    method text NOT NULL,
    model text,
    status_code integer,
    started_at timestamptz NOT NULL,
    ended_at timestamptz,
    bytes_up bigint NOT NULL DEFAULT 0 CHECK (bytes_up >= 0),
    bytes_down bigint NOT NULL DEFAULT 0 CHECK (bytes_down >= 0),
    est_input_tokens bigint NOT NULL DEFAULT 0,
    est_output_tokens bigint NOT NULL DEFAULT 0,
    counted_bytes_up bigint NOT NULL DEFAULT 0,
    counted_bytes_down bigint NOT NULL DEFAULT 0,
    counted_input_tokens bigint NOT NULL DEFAULT 0,
    counted_output_tokens bigint NOT NULL DEFAULT 0,
    agent_event_id uuid,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, browser_id) REFERENCES extension_browsers (org_id, id) ON DELETE CASCADE
  )`.execute(db);
  await sql`CREATE INDEX extension_requests_match ON extension_requests (org_id, user_id, host, started_at)`.execute(
    db,
  );
  await enableTenantRls(db, 'extension_requests');

  // An extension request that lands after the agent's event for the same connection names the
  // model the agent could not see: the one column of an event that may change afterwards.
  await sql`GRANT UPDATE (model) ON events TO ${sql.id(APP_ROLE)}`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`REVOKE UPDATE (model) ON events FROM ${sql.id(APP_ROLE)}`.execute(db);
  await sql`DROP TABLE extension_requests`.execute(db);
  await sql`DROP TABLE extension_browsers`.execute(db);
}
