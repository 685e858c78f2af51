import { type Kysely, sql } from 'kysely';
import { enableTenantRls } from '../rls.js';

/**
 * The usage pipeline's tables: raw events, hourly (UTC) and daily (org time zone) rollups, the
 * OS user → org user mappings, and the org's own catalogue entries. See docs/data-model.md.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // The primary key is the client's UUIDv7 within the org, so a resent batch dedupes with
  // `ON CONFLICT DO NOTHING`. Never holds content: hosts, counts, timing and attribution only.
  await sql`CREATE TABLE events (
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    occurred_at timestamptz NOT NULL,
    ended_at timestamptz,
    received_at timestamptz NOT NULL DEFAULT now(),
    device_id uuid,
    api_key_id uuid,
    user_id uuid,
    department_id uuid,
    manager_id uuid,
    os_user text,
    source text NOT NULL CHECK (source IN ('agent', 'proxy', 'extension', 'api')),
    host text,
    provider text NOT NULL,
    product text NOT NULL,
    category text NOT NULL,
    model text,
    transport text CHECK (transport IN ('tcp', 'quic')),
    bytes_up bigint NOT NULL DEFAULT 0 CHECK (bytes_up >= 0),
    bytes_down bigint NOT NULL DEFAULT 0 CHECK (bytes_down >= 0),
    duration_ms bigint CHECK (duration_ms >= 0),
    est_input_tokens bigint NOT NULL DEFAULT 0 CHECK (est_input_tokens >= 0),
    est_output_tokens bigint NOT NULL DEFAULT 0 CHECK (est_output_tokens >= 0),
    token_method text NOT NULL,
    PRIMARY KEY (org_id, id)
  )`.execute(db);
  await sql`CREATE INDEX events_time ON events (org_id, occurred_at)`.execute(db);
  await enableTenantRls(db, 'events', { privileges: ['SELECT', 'INSERT'] });

  for (const [table, bucket] of [
    ['usage_hourly', 'timestamptz'],
    ['usage_daily', 'date'],
  ] as const) {
    await sql`CREATE TABLE ${sql.table(table)} (
      org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
      bucket ${sql.raw(bucket)} NOT NULL,
      user_id uuid,
      department_id uuid,
      provider text NOT NULL,
      model text,
      category text NOT NULL,
      source text NOT NULL,
      events bigint NOT NULL DEFAULT 0,
      bytes_up bigint NOT NULL DEFAULT 0,
      bytes_down bigint NOT NULL DEFAULT 0,
      duration_ms bigint NOT NULL DEFAULT 0,
      est_input_tokens bigint NOT NULL DEFAULT 0,
      est_output_tokens bigint NOT NULL DEFAULT 0,
      reported_input_tokens bigint NOT NULL DEFAULT 0,
      reported_output_tokens bigint NOT NULL DEFAULT 0,
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE NULLS NOT DISTINCT (org_id, bucket, user_id, department_id, provider, model, category, source)
    )`.execute(db);
    await enableTenantRls(db, table, { privileges: ['SELECT', 'INSERT', 'UPDATE'] });
  }
  await sql`CREATE INDEX usage_daily_user ON usage_daily (org_id, user_id, bucket)`.execute(db);

  // device_id NULL = the org-wide mapping; a device's own mapping wins over it.
  await sql`CREATE TABLE os_user_mappings (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    device_id uuid,
    os_user text NOT NULL CHECK (length(os_user) BETWEEN 1 AND 256 AND os_user = lower(os_user)),
    user_id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE NULLS NOT DISTINCT (org_id, device_id, os_user),
    FOREIGN KEY (org_id, device_id) REFERENCES devices (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
  )`.execute(db);
  await enableTenantRls(db, 'os_user_mappings');

  // The org's own catalogue rows, consulted before the built-in catalogue (packages/core).
  await sql`CREATE TABLE org_catalogue_entries (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    host text NOT NULL,
    match text NOT NULL CHECK (match IN ('exact', 'suffix')),
    provider text NOT NULL,
    product text NOT NULL CHECK (product IN ('api', 'chat-app', 'coding-assistant')),
    category text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, host, match)
  )`.execute(db);
  await enableTenantRls(db, 'org_catalogue_entries');
}
