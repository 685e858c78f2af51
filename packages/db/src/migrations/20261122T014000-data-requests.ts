import { type Kysely, sql } from 'kysely';
import { enableTenantRls } from '../rls.js';

/**
 * Data subject requests (GDPR/CCPA access and erasure) and the audit-log columns that let an
 * erasure pseudonymise entries without breaking the hash chain (docs/adr/0002-dsar-erasure.md).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // The record keeps only what the law asks for: kind, regime, dates, outcome and a pseudonym.
  // `subject_user_id` is cleared once the request is closed by an erasure.
  await sql`CREATE TABLE data_requests (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('access', 'erasure')),
    regime text NOT NULL CHECK (regime IN ('gdpr', 'ccpa')),
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'completed', 'rejected')),
    outcome text,
    subject_user_id uuid,
    subject_pseudonym uuid NOT NULL DEFAULT gen_random_uuid(),
    submitted_at timestamptz NOT NULL DEFAULT now(),
    due_at timestamptz NOT NULL,
    completed_at timestamptz,
    reminders_sent text[] NOT NULL DEFAULT '{}',
    export_paths text[] NOT NULL DEFAULT '{}',
    export_expires_at timestamptz,
    UNIQUE (org_id, id)
  )`.execute(db);
  await sql`CREATE INDEX data_requests_queue ON data_requests (org_id, status, due_at)`.execute(db);
  await sql`CREATE INDEX data_requests_subject ON data_requests (org_id, subject_user_id)`.execute(db);
  await enableTenantRls(db, 'data_requests');

  // Format 2 entries hash a salted commitment of (actor_id, target_id, details) instead of the
  // values, so erasure may replace them (and drop the salt) while the chain still verifies.
  await sql`ALTER TABLE audit_log
    ADD COLUMN format smallint NOT NULL DEFAULT 1,
    ADD COLUMN personal_salt text,
    ADD COLUMN personal_commitment text,
    ADD COLUMN redacted_at timestamptz`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE data_requests`.execute(db);
}
