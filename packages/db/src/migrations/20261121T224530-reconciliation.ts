import { type Kysely, sql } from 'kysely';
import { enableTenantRls } from '../rls.js';

/**
 * Provider reconciliation (issue #7): connections to providers' admin usage APIs, the buckets
 * they report, and the calibration fits derived from them. See docs/shadow-ai.md.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // Credentials live only in `credentials_enc` (envelope-encrypted with the master key, bound to
  // the row id); `credentials_hint` is a masked hint that is safe to show.
  await sql`CREATE TABLE provider_connections (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    provider text NOT NULL CHECK (provider IN ('openai', 'anthropic', 'azure-openai', 'google-vertex')),
    name text NOT NULL,
    base_url text,
    credentials_enc text NOT NULL,
    credentials_hint text NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'healthy', 'unhealthy')),
    last_error text,
    last_synced_at timestamptz,
    backfilled_at timestamptz,
    consecutive_failures integer NOT NULL DEFAULT 0,
    next_poll_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id)
  )`.execute(db);
  await enableTenantRls(db, 'provider_connections');

  // One row per (connection, bucket, dimension tuple); a re-poll overwrites, never adds.
  // input_tokens is ALL input (cached reads and cache writes included) on every provider.
  await sql`CREATE TABLE reconciled_usage (
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    connection_id uuid NOT NULL,
    provider text NOT NULL,
    bucket_start timestamptz NOT NULL,
    bucket_width text NOT NULL CHECK (bucket_width IN ('1h', '1d')),
    model text,
    project_id text,
    workspace_id text,
    api_key_id text,
    input_tokens bigint NOT NULL DEFAULT 0 CHECK (input_tokens >= 0),
    cached_input_tokens bigint NOT NULL DEFAULT 0 CHECK (cached_input_tokens >= 0),
    cache_write_tokens bigint NOT NULL DEFAULT 0 CHECK (cache_write_tokens >= 0),
    output_tokens bigint NOT NULL DEFAULT 0 CHECK (output_tokens >= 0),
    requests bigint,
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE NULLS NOT DISTINCT (org_id, connection_id, bucket_start, bucket_width, model, project_id, workspace_id, api_key_id),
    FOREIGN KEY (org_id, connection_id) REFERENCES provider_connections (org_id, id) ON DELETE CASCADE
  )`.execute(db);
  await sql`CREATE INDEX reconciled_usage_time ON reconciled_usage (org_id, provider, bucket_start)`.execute(
    db,
  );
  await enableTenantRls(db, 'reconciled_usage');

  // Every refit is kept (fit history); the newest row per (org, provider) with a ratio is in force.
  await sql`CREATE TABLE calibration_fits (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    provider text NOT NULL,
    fitted_at timestamptz NOT NULL DEFAULT now(),
    window_start text NOT NULL,  -- UTC day, YYYY-MM-DD
    window_end text NOT NULL,
    windows_used integer NOT NULL,
    windows_excluded integer NOT NULL,
    up_ratio jsonb,
    down_ratio jsonb,
    up_rel_sigma double precision,
    down_rel_sigma double precision,
    mape_before_input double precision,
    mape_after_input double precision,
    mape_before_output double precision,
    mape_after_output double precision
  )`.execute(db);
  await sql`CREATE INDEX calibration_fits_latest ON calibration_fits (org_id, provider, fitted_at DESC)`.execute(
    db,
  );
  await enableTenantRls(db, 'calibration_fits', { privileges: ['SELECT', 'INSERT'] });
}
