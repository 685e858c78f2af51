import { type Kysely, sql } from 'kysely';
import { enableTenantRls } from '../rls.js';

/**
 * PKI and enrollment: the root and per-org issuing CAs (private keys envelope-encrypted with the
 * server master key), one-time-ish enrollment tokens (stored hashed), and the device columns the
 * heartbeat reports. See docs/security/pki.md.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // A system table: read only by the server itself (the app role gets no grant), because the
  // ingest path resolves a certificate to its org before any tenant is known.
  await sql`CREATE TABLE certificate_authorities (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind text NOT NULL CHECK (kind IN ('root', 'org')),
    org_id uuid REFERENCES orgs (id) ON DELETE CASCADE,
    certificate_pem text NOT NULL,
    private_key_encrypted text NOT NULL,
    fingerprint_sha256 text NOT NULL UNIQUE,
    not_after timestamptz NOT NULL,
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'root') = (org_id IS NULL))
  )`.execute(db);
  await sql`CREATE UNIQUE INDEX certificate_authorities_one_root ON certificate_authorities (kind)
    WHERE kind = 'root' AND status = 'active'`.execute(db);
  await sql`CREATE UNIQUE INDEX certificate_authorities_one_per_org ON certificate_authorities (org_id)
    WHERE kind = 'org' AND status = 'active'`.execute(db);
  await sql`REVOKE ALL ON certificate_authorities FROM PUBLIC`.execute(db);

  await sql`CREATE TABLE enroll_tokens (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    token_hash text NOT NULL UNIQUE,
    max_uses integer NOT NULL CHECK (max_uses > 0),
    uses integer NOT NULL DEFAULT 0 CHECK (uses >= 0 AND uses <= max_uses),
    owner_user_id uuid,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, owner_user_id) REFERENCES users (org_id, id)
  )`.execute(db);
  await enableTenantRls(db, 'enroll_tokens', { privileges: ['SELECT', 'INSERT', 'UPDATE'] });

  await sql`ALTER TABLE devices
    ADD COLUMN os_user text,
    ADD COLUMN queue_depth integer CHECK (queue_depth >= 0),
    ADD COLUMN capture_stats jsonb,
    ADD COLUMN enroll_token_id uuid,
    ADD CONSTRAINT devices_privacy_state CHECK (privacy_state IN ('off', 'configured', 'active'))`.execute(
    db,
  );
  await sql`CREATE INDEX devices_last_seen ON devices (org_id, last_seen_at)`.execute(db);
}
