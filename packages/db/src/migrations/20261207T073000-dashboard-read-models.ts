import { type Kysely, sql } from 'kysely';
import { enableTenantRls } from '../rls.js';

/**
 * Read models for the dashboard (issue 22): daily rollups shaped for the questions the pages ask,
 * so no answer aggregates the full-grain `usage_daily` (≈5 rows per person per day) when a coarser
 * grain answers it. Both are maintained in the same statement as `usage_daily`
 * (apps/server/src/usage/store.ts) and expire with it.
 * - `usage_daily_org`: the org's day × provider × model × category × source, nobody's identity —
 *   totals, per day/provider/model, provider and model filters.
 * - `usage_daily_people`: one row per person (and department) per day — Top Users, per department,
 *   department-subtree filters.
 * Efficiency scores are stored by the scores job for everyone with usage (a score may be null
 * when the usage is too thin to score), so the dashboard reads them instead of scoring per request.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const sums = sql.raw(`events bigint NOT NULL DEFAULT 0,
      bytes_up bigint NOT NULL DEFAULT 0,
      bytes_down bigint NOT NULL DEFAULT 0,
      duration_ms bigint NOT NULL DEFAULT 0,
      est_input_tokens bigint NOT NULL DEFAULT 0,
      est_output_tokens bigint NOT NULL DEFAULT 0,
      reported_input_tokens bigint NOT NULL DEFAULT 0,
      reported_output_tokens bigint NOT NULL DEFAULT 0,
      updated_at timestamptz NOT NULL DEFAULT now()`);
  await sql`CREATE TABLE usage_daily_org (
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    bucket date NOT NULL,
    provider text NOT NULL,
    model text,
    category text NOT NULL,
    source text NOT NULL,
    ${sums},
    UNIQUE NULLS NOT DISTINCT (org_id, bucket, provider, model, category, source)
  )`.execute(db);
  await enableTenantRls(db, 'usage_daily_org', { privileges: ['SELECT', 'INSERT', 'UPDATE'] });
  await sql`CREATE TABLE usage_daily_people (
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    bucket date NOT NULL,
    user_id uuid,
    department_id uuid,
    ${sums},
    UNIQUE NULLS NOT DISTINCT (org_id, bucket, user_id, department_id)
  )`.execute(db);
  await enableTenantRls(db, 'usage_daily_people', { privileges: ['SELECT', 'INSERT', 'UPDATE'] });
  await sql`CREATE INDEX usage_daily_people_department ON usage_daily_people (org_id, department_id, bucket)`.execute(
    db,
  );
  await sql`CREATE INDEX usage_daily_people_user ON usage_daily_people (org_id, user_id, bucket)`.execute(db);
  // Filters that still need the full grain: provider or model with a per-person answer.
  await sql`CREATE INDEX usage_daily_provider ON usage_daily (org_id, provider, bucket)`.execute(db);
  await sql`CREATE INDEX usage_daily_model ON usage_daily (org_id, model, bucket)`.execute(db);
  await sql`CREATE INDEX usage_daily_department ON usage_daily (org_id, department_id, bucket)`.execute(db);
  // Backfill from the existing full-grain rollup.
  const cols = sql.raw(
    'events, bytes_up, bytes_down, duration_ms, est_input_tokens, est_output_tokens, reported_input_tokens, reported_output_tokens',
  );
  const sumCols = sql.raw(
    'sum(events), sum(bytes_up), sum(bytes_down), sum(duration_ms), sum(est_input_tokens), sum(est_output_tokens), sum(reported_input_tokens), sum(reported_output_tokens)',
  );
  await sql`INSERT INTO usage_daily_org (org_id, bucket, provider, model, category, source, ${cols})
    SELECT org_id, bucket, provider, model, category, source, ${sumCols} FROM usage_daily
    GROUP BY org_id, bucket, provider, model, category, source`.execute(db);
  await sql`INSERT INTO usage_daily_people (org_id, bucket, user_id, department_id, ${cols})
    SELECT org_id, bucket, user_id, department_id, ${sumCols} FROM usage_daily
    GROUP BY org_id, bucket, user_id, department_id`.execute(db);
  await sql`ALTER TABLE efficiency_scores ALTER COLUMN score DROP NOT NULL`.execute(db);
}
