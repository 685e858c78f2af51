import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE jobs (
    id bigserial PRIMARY KEY,
    name text NOT NULL,
    org_id uuid REFERENCES orgs (id) ON DELETE CASCADE,
    payload jsonb NOT NULL DEFAULT '{}',
    status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'dead')),
    run_at timestamptz NOT NULL DEFAULT now(),
    attempts integer NOT NULL DEFAULT 0,
    max_attempts integer NOT NULL DEFAULT 5,
    locked_until timestamptz,
    last_error text,
    dedupe_key text,
    created_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
  )`.execute(db);
  await sql`CREATE INDEX jobs_due ON jobs (run_at) WHERE status = 'queued'`.execute(db);
  await sql`CREATE INDEX jobs_stale ON jobs (locked_until) WHERE status = 'running'`.execute(db);
  // One pending job per key: recurring and "sync now" jobs enqueue idempotently.
  await sql`CREATE UNIQUE INDEX jobs_dedupe ON jobs (dedupe_key) WHERE status IN ('queued', 'running')`.execute(
    db,
  );
  // The last time slot each recurring job was enqueued for: claimed with one UPDATE, so each
  // slot is enqueued exactly once however many workers tick.
  await sql`CREATE TABLE job_schedules (
    name text PRIMARY KEY,
    last_slot bigint NOT NULL
  )`.execute(db);
}
