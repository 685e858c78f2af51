import { type Kysely, sql } from 'kysely';
import { enableTenantRls } from '../rls.js';

/**
 * Governance: policies (versioned data), their firings, the signals they react to (risk events,
 * budget/shadow-AI notices), incidents with a timeline, alerts, GitHub integration, and the
 * outgoing-webhook outbox.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // `published_version` is what runs; editing adds a version without touching it.
  await sql`CREATE TABLE policies (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'disabled')),
    current_version integer NOT NULL DEFAULT 1,
    published_version integer,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id)
  )`.execute(db);
  await enableTenantRls(db, 'policies');

  await sql`CREATE TABLE policy_versions (
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    policy_id uuid NOT NULL,
    version integer NOT NULL,
    name text NOT NULL,
    description text NOT NULL DEFAULT '',
    severity text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    trigger jsonb NOT NULL,
    conditions jsonb,
    actions jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by text,
    PRIMARY KEY (org_id, policy_id, version),
    FOREIGN KEY (org_id, policy_id) REFERENCES policies (org_id, id) ON DELETE CASCADE
  )`.execute(db);
  await enableTenantRls(db, 'policy_versions', { privileges: ['SELECT', 'INSERT', 'DELETE'] });

  // One row per (policy, dedupe key): a trigger that keeps matching fires once per user-day etc.
  await sql`CREATE TABLE policy_firings (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    policy_id uuid NOT NULL,
    version integer NOT NULL,
    trigger_type text NOT NULL,
    dedupe_key text NOT NULL,
    subject jsonb NOT NULL,
    fired_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, policy_id, dedupe_key),
    FOREIGN KEY (org_id, policy_id) REFERENCES policies (org_id, id) ON DELETE CASCADE
  )`.execute(db);
  await enableTenantRls(db, 'policy_firings', { privileges: ['SELECT', 'INSERT', 'DELETE'] });

  // Notices that arrive on the governance bus (budget thresholds, shadow-AI gaps), kept so a
  // policy on them can be tested against history.
  await sql`CREATE TABLE governance_signals (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    kind text NOT NULL,
    occurred_at timestamptz NOT NULL,
    payload jsonb NOT NULL
  )`.execute(db);
  await sql`CREATE INDEX governance_signals_time ON governance_signals (org_id, kind, occurred_at)`.execute(
    db,
  );
  await enableTenantRls(db, 'governance_signals', { privileges: ['SELECT', 'INSERT'] });

  await sql`CREATE TABLE risk_events (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    source text NOT NULL,
    kind text NOT NULL,
    level text NOT NULL CHECK (level IN ('low', 'medium', 'high', 'critical')),
    occurred_at timestamptz NOT NULL,
    user_id uuid,
    department_id uuid,
    external_login text,
    repository text,
    delivery_id text,
    details jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, source, delivery_id)
  )`.execute(db);
  await sql`CREATE INDEX risk_events_time ON risk_events (org_id, occurred_at)`.execute(db);
  await enableTenantRls(db, 'risk_events', { privileges: ['SELECT', 'INSERT'] });

  await sql`CREATE TABLE github_integrations (
    org_id uuid PRIMARY KEY REFERENCES orgs (id) ON DELETE CASCADE,
    webhook_secret text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
  await enableTenantRls(db, 'github_integrations');

  await sql`CREATE TABLE github_user_mappings (
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    login text NOT NULL CHECK (login = lower(login) AND length(login) BETWEEN 1 AND 39),
    user_id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, login),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
  )`.execute(db);
  await enableTenantRls(db, 'github_user_mappings');

  await sql`CREATE TABLE incidents (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    title text NOT NULL,
    severity text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'resolved')),
    assignee_id uuid,
    user_id uuid,
    policy_id uuid,
    firing_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz,
    UNIQUE (org_id, id)
  )`.execute(db);
  await sql`CREATE INDEX incidents_status ON incidents (org_id, status, created_at)`.execute(db);
  await enableTenantRls(db, 'incidents');

  await sql`CREATE TABLE incident_events (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    incident_id uuid NOT NULL,
    at timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor_type text NOT NULL,
    actor_id text,
    kind text NOT NULL,
    details jsonb NOT NULL DEFAULT '{}',
    FOREIGN KEY (org_id, incident_id) REFERENCES incidents (org_id, id) ON DELETE CASCADE
  )`.execute(db);
  await sql`CREATE INDEX incident_events_incident ON incident_events (org_id, incident_id, at)`.execute(db);
  await enableTenantRls(db, 'incident_events', { privileges: ['SELECT', 'INSERT'] });

  await sql`CREATE TABLE alerts (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    severity text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged')),
    title text NOT NULL,
    body text NOT NULL DEFAULT '',
    source text NOT NULL,
    source_id text,
    user_id uuid,
    department_id uuid,
    details jsonb NOT NULL DEFAULT '{}',
    acknowledged_by text,
    acknowledged_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
  await sql`CREATE INDEX alerts_created ON alerts (org_id, created_at)`.execute(db);
  await enableTenantRls(db, 'alerts');

  await sql`CREATE TABLE webhook_endpoints (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    url text NOT NULL,
    description text NOT NULL DEFAULT '',
    event_types text[] NOT NULL DEFAULT '{}',
    secret text NOT NULL,
    enabled boolean NOT NULL DEFAULT true,
    disabled_reason text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id)
  )`.execute(db);
  await enableTenantRls(db, 'webhook_endpoints');

  // The outbox: one row per (message, endpoint); its id is the `webhook-id` on every attempt.
  await sql`CREATE TABLE webhook_deliveries (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    endpoint_id uuid NOT NULL,
    event_type text NOT NULL,
    payload jsonb NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    last_status_code integer,
    last_error text,
    log jsonb NOT NULL DEFAULT '[]',
    created_at timestamptz NOT NULL DEFAULT now(),
    delivered_at timestamptz,
    FOREIGN KEY (org_id, endpoint_id) REFERENCES webhook_endpoints (org_id, id) ON DELETE CASCADE
  )`.execute(db);
  await sql`CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (org_id, endpoint_id, created_at)`.execute(
    db,
  );
  await enableTenantRls(db, 'webhook_deliveries');

  // Transactional outbox: emails and webhook attempts are enqueued as jobs inside the tenant
  // transaction that causes them (so they exist iff it commits). The app role may add jobs and
  // read back only the non-sensitive columns that INSERT … ON CONFLICT … RETURNING id touches.
  await sql`GRANT INSERT ON jobs TO toktra_app`.execute(db);
  await sql`GRANT SELECT (id, status, dedupe_key) ON jobs TO toktra_app`.execute(db);
  await sql`GRANT USAGE ON SEQUENCE jobs_id_seq TO toktra_app`.execute(db);
}
