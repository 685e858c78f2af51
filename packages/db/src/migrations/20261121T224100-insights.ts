import { type Kysely, sql } from 'kysely';
import { enableTenantRls } from '../rls.js';

/**
 * Insight features: export jobs, scheduled reports, efficiency scores, model-tier overrides,
 * adoption scorecards, and the per-org secret that keys pseudonyms and export download links.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE exports (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'ready', 'failed')),
    format text NOT NULL CHECK (format IN ('csv', 'json')),
    scope text NOT NULL CHECK (scope IN ('users', 'teams', 'models', 'providers')),
    start_date date NOT NULL,
    end_date date NOT NULL,
    progress integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    row_count bigint NOT NULL DEFAULT 0,
    byte_count bigint NOT NULL DEFAULT 0,
    file_path text,
    error text,
    requested_by text,
    created_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    expires_at timestamptz
  )`.execute(db);
  await sql`CREATE INDEX exports_org ON exports (org_id, created_at)`.execute(db);
  await enableTenantRls(db, 'exports');

  await sql`CREATE TABLE report_schedules (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    frequency text NOT NULL CHECK (frequency IN ('daily', 'weekly', 'monthly')),
    day_of_week integer CHECK (day_of_week BETWEEN 0 AND 6),
    day_of_month integer CHECK (day_of_month BETWEEN 1 AND 28),
    time_of_day text NOT NULL CHECK (time_of_day ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
    time_zone text NOT NULL,
    recipients jsonb NOT NULL,
    enabled boolean NOT NULL DEFAULT true,
    next_run_at timestamptz NOT NULL,
    last_sent_at timestamptz,
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
  await sql`CREATE INDEX report_schedules_due ON report_schedules (next_run_at) WHERE enabled`.execute(db);
  await enableTenantRls(db, 'report_schedules');

  // subject_type user|department; day = the last day of the scored window (org time zone).
  await sql`CREATE TABLE efficiency_scores (
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    subject_type text NOT NULL CHECK (subject_type IN ('user', 'department')),
    subject_id uuid NOT NULL,
    day date NOT NULL,
    window_days integer NOT NULL,
    score integer NOT NULL CHECK (score BETWEEN 0 AND 100),
    components jsonb NOT NULL,
    computed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, subject_type, subject_id, day, window_days)
  )`.execute(db);
  await enableTenantRls(db, 'efficiency_scores');

  await sql`CREATE TABLE tier_overrides (
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    user_id uuid NOT NULL,
    tier text NOT NULL CHECK (tier IN ('standard', 'advanced', 'premium')),
    reason text,
    set_by text,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, user_id),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
  )`.execute(db);
  await enableTenantRls(db, 'tier_overrides');

  await sql`CREATE TABLE scorecards (
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    subject_type text NOT NULL CHECK (subject_type IN ('employee', 'team', 'department')),
    subject_id uuid NOT NULL,
    day date NOT NULL,
    metrics jsonb NOT NULL,
    computed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, subject_type, subject_id, day)
  )`.execute(db);
  await enableTenantRls(db, 'scorecards');

  // Random per org, never leaves the server: keys leaderboard pseudonyms and export link HMACs.
  await sql`CREATE TABLE insight_secrets (
    org_id uuid PRIMARY KEY REFERENCES orgs (id) ON DELETE CASCADE,
    secret bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
  await enableTenantRls(db, 'insight_secrets', { privileges: ['SELECT', 'INSERT'] });
}
