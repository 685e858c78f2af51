import { type Kysely, sql } from 'kysely';
import { enableTenantRls } from '../rls.js';

/**
 * The Slack app (installations per workspace, OAuth states, user mappings, alert channels and the
 * delivery log), ITSM connectors and the tickets they opened, and reimbursement requests.
 * Tokens and ITSM credentials are stored encrypted (apps/server/src/secrets), never in clear.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE slack_installations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    team_id text NOT NULL,
    team_name text NOT NULL DEFAULT '',
    app_id text,
    bot_token text,
    bot_user_id text,
    scopes text NOT NULL DEFAULT '',
    installed_by text,
    installed_at timestamptz NOT NULL DEFAULT now(),
    uninstalled_at timestamptz,
    UNIQUE (org_id, id)
  )`.execute(db);
  // A workspace belongs to at most one org at a time (inbound requests are routed by team id).
  await sql`CREATE UNIQUE INDEX slack_installations_live_team ON slack_installations (team_id)
    WHERE uninstalled_at IS NULL`.execute(db);
  await enableTenantRls(db, 'slack_installations');

  await sql`CREATE TABLE slack_oauth_states (
    state_hash text PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    created_by text,
    browser_bound boolean NOT NULL DEFAULT false,
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
  await enableTenantRls(db, 'slack_oauth_states');

  await sql`CREATE TABLE slack_user_mappings (
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    team_id text NOT NULL,
    slack_user_id text NOT NULL,
    email text NOT NULL,
    user_id uuid,
    refreshed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, team_id, slack_user_id)
  )`.execute(db);
  await sql`CREATE INDEX slack_user_mappings_email ON slack_user_mappings (org_id, team_id, email)`.execute(
    db,
  );
  await enableTenantRls(db, 'slack_user_mappings');

  await sql`CREATE TABLE slack_alert_channels (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    installation_id uuid NOT NULL,
    channel_id text NOT NULL,
    channel_name text NOT NULL DEFAULT '',
    severities text[] NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, installation_id, channel_id),
    FOREIGN KEY (org_id, installation_id) REFERENCES slack_installations (org_id, id) ON DELETE CASCADE
  )`.execute(db);
  await enableTenantRls(db, 'slack_alert_channels');

  await sql`CREATE TABLE slack_deliveries (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    kind text NOT NULL,
    installation_id uuid,
    channel_id text,
    subject_id text,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    last_error text,
    message_ts text,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz
  )`.execute(db);
  await sql`CREATE INDEX slack_deliveries_recent ON slack_deliveries (org_id, created_at DESC)`.execute(db);
  await enableTenantRls(db, 'slack_deliveries');

  await sql`CREATE TABLE itsm_connectors (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('servicenow', 'jira')),
    name text NOT NULL,
    base_url text NOT NULL,
    credentials text NOT NULL,
    project_key text,
    issue_type text,
    table_name text,
    active boolean NOT NULL DEFAULT true,
    last_tested_at timestamptz,
    last_test_ok boolean,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id)
  )`.execute(db);
  await enableTenantRls(db, 'itsm_connectors');

  await sql`CREATE TABLE itsm_tickets (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    alert_id uuid NOT NULL,
    connector_id uuid NOT NULL,
    external_id text NOT NULL,
    external_key text NOT NULL,
    url text NOT NULL,
    created_by text,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, alert_id, connector_id),
    FOREIGN KEY (org_id, connector_id) REFERENCES itsm_connectors (org_id, id) ON DELETE CASCADE
  )`.execute(db);
  await enableTenantRls(db, 'itsm_tickets');

  await sql`CREATE TABLE reimbursement_requests (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    user_id uuid NOT NULL,
    amount numeric(12, 2) NOT NULL CHECK (amount > 0),
    currency text NOT NULL,
    period text NOT NULL,
    note text NOT NULL DEFAULT '',
    approver_id uuid,
    status text NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'approved', 'rejected')),
    decided_by text,
    decided_at timestamptz,
    decision_note text,
    exported_at timestamptz,
    slack_channel text,
    slack_ts text,
    created_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
  await sql`CREATE INDEX reimbursement_requests_approver ON reimbursement_requests (org_id, approver_id, status)`.execute(
    db,
  );
  await sql`CREATE INDEX reimbursement_requests_period ON reimbursement_requests (org_id, period, status)`.execute(
    db,
  );
  await enableTenantRls(db, 'reimbursement_requests');
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'reimbursement_requests',
    'itsm_tickets',
    'itsm_connectors',
    'slack_deliveries',
    'slack_alert_channels',
    'slack_user_mappings',
    'slack_oauth_states',
    'slack_installations',
  ]) {
    await sql`DROP TABLE IF EXISTS ${sql.table(table)}`.execute(db);
  }
}
