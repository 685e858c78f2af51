import { type Kysely, sql } from 'kysely';
import { createAppRole, enableTenantRls } from '../rls.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await createAppRole(db);

  await sql`CREATE TABLE orgs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    time_zone text NOT NULL DEFAULT 'UTC',
    region text NOT NULL DEFAULT 'us' CHECK (region IN ('us', 'eu', 'au', 'ca')),
    retention_days integer NOT NULL DEFAULT 395 CHECK (retention_days > 0),
    settings jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
  await enableTenantRls(db, 'orgs', { column: 'id', privileges: ['SELECT', 'UPDATE'] });

  await sql`CREATE TABLE departments (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    parent_id uuid,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, parent_id) REFERENCES departments (org_id, id)
  )`.execute(db);
  await sql`CREATE INDEX departments_parent ON departments (org_id, parent_id)`.execute(db);
  await enableTenantRls(db, 'departments');

  await sql`CREATE TABLE users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    email text NOT NULL CHECK (position('@' in email) > 1),
    name text NOT NULL,
    department_id uuid,
    manager_id uuid,
    role text NOT NULL DEFAULT 'employee'
      CHECK (role IN ('owner', 'admin', 'manager', 'employee', 'auditor')),
    password_hash text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, department_id) REFERENCES departments (org_id, id),
    FOREIGN KEY (org_id, manager_id) REFERENCES users (org_id, id)
  )`.execute(db);
  await sql`CREATE UNIQUE INDEX users_email ON users (org_id, lower(email))`.execute(db);
  await sql`CREATE INDEX users_department ON users (org_id, department_id)`.execute(db);
  await enableTenantRls(db, 'users');

  await sql`CREATE TABLE devices (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    hostname text NOT NULL,
    os text,
    agent_version text,
    owner_user_id uuid,
    cert_serial text,
    cert_fingerprint text,
    cert_not_after timestamptz,
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
    revoked_at timestamptz,
    last_seen_at timestamptz,
    privacy_state text,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, owner_user_id) REFERENCES users (org_id, id)
  )`.execute(db);
  await enableTenantRls(db, 'devices');

  await sql`CREATE TABLE api_keys (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    name text NOT NULL,
    key_prefix text NOT NULL UNIQUE,
    key_hash text NOT NULL,
    scopes text[] NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    expires_at timestamptz,
    revoked_at timestamptz
  )`.execute(db);
  await enableTenantRls(db, 'api_keys');

  await sql`CREATE TABLE audit_log (
    org_id uuid NOT NULL REFERENCES orgs (id),
    seq bigint NOT NULL CHECK (seq > 0),
    at timestamptz NOT NULL,
    actor_type text NOT NULL,
    actor_id text,
    action text NOT NULL,
    target_type text,
    target_id text,
    details jsonb NOT NULL DEFAULT '{}',
    prev_hash text NOT NULL,
    hash text NOT NULL,
    PRIMARY KEY (org_id, seq)
  )`.execute(db);
  // Append-only for everyone, owner included. Erasure (DSAR) pseudonymises through a dedicated,
  // audited path that sets toktra.audit_redaction for its own transaction only.
  await sql`CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' AND current_setting('toktra.audit_redaction', true) = 'on' THEN
        RETURN NEW;
      END IF;
      RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
    END $$`.execute(db);
  await sql`CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`.execute(db);
  await enableTenantRls(db, 'audit_log', { privileges: ['SELECT', 'INSERT'] });
}
