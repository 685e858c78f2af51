import { type Kysely, sql } from 'kysely';
import { enableTenantRls } from '../rls.js';

/**
 * Token Perks, the personal ledger (docs/token-perks.md). Kept apart from the corporate tables on
 * purpose: no device, host, byte or event column anywhere, nothing shared with `events` or the
 * rollups to join on. Ledger entries are HPKE ciphertext the server cannot open. Every personal
 * record carries `expires_at = created_at + 2160 hours` — exactly 90 days (an interval of '90 days'
 * would follow daylight-saving shifts in the session time zone) — enforced by a CHECK.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // The org's perk budget: what each enrolled employee may redeem per calendar month.
  await sql`CREATE TABLE perk_settings (
    org_id uuid PRIMARY KEY REFERENCES orgs (id) ON DELETE CASCADE,
    monthly_allowance_tokens bigint NOT NULL DEFAULT 0 CHECK (monthly_allowance_tokens >= 0),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
  await enableTenantRls(db, 'perk_settings', { privileges: ['SELECT', 'INSERT', 'UPDATE'] });

  // The public key, and optionally the passphrase-wrapped private key, which the server cannot open.
  await sql`CREATE TABLE perk_enrollments (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    user_id uuid NOT NULL,
    public_key text NOT NULL,
    wrapped_private_key jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, user_id),
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
  )`.execute(db);
  await enableTenantRls(db, 'perk_enrollments', { privileges: ['SELECT', 'INSERT', 'DELETE'] });

  // Sealed personal events. `created_at` is the arrival hour (not the event time, not the second).
  await sql`CREATE TABLE perk_ledger_entries (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    enrollment_id uuid NOT NULL,
    client_id text NOT NULL,
    enc text NOT NULL,
    ciphertext text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    CHECK (expires_at = created_at + interval '2160 hours'),
    UNIQUE (org_id, enrollment_id, client_id),
    FOREIGN KEY (org_id, enrollment_id) REFERENCES perk_enrollments (org_id, id) ON DELETE CASCADE
  )`.execute(db);
  await sql`CREATE INDEX perk_ledger_entries_expiry ON perk_ledger_entries (org_id, expires_at)`.execute(db);
  // Ciphertext is immutable: the app role may add, read and delete entries, never change one.
  await enableTenantRls(db, 'perk_ledger_entries', { privileges: ['SELECT', 'INSERT', 'DELETE'] });

  // Redemptions against the monthly allowance: an amount the employee chose, never usage records.
  await sql`CREATE TABLE perk_redemptions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    enrollment_id uuid NOT NULL,
    period text NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    amount_tokens bigint NOT NULL CHECK (amount_tokens > 0),
    client_id text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    CHECK (expires_at = created_at + interval '2160 hours'),
    UNIQUE (org_id, enrollment_id, client_id),
    FOREIGN KEY (org_id, enrollment_id) REFERENCES perk_enrollments (org_id, id) ON DELETE CASCADE
  )`.execute(db);
  await sql`CREATE INDEX perk_redemptions_period ON perk_redemptions (org_id, period)`.execute(db);
  await enableTenantRls(db, 'perk_redemptions', { privileges: ['SELECT', 'INSERT', 'DELETE'] });
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE perk_redemptions`.execute(db);
  await sql`DROP TABLE perk_ledger_entries`.execute(db);
  await sql`DROP TABLE perk_enrollments`.execute(db);
  await sql`DROP TABLE perk_settings`.execute(db);
}
