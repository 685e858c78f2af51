import { type Kysely, sql } from 'kysely';
import { enableTenantRls } from '../rls.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Dashboard sessions. Only a SHA-256 of the cookie's secret is stored, so a database read does
  // not hand out live sessions.
  await sql`CREATE TABLE sessions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    user_id uuid NOT NULL,
    token_hash text NOT NULL UNIQUE,
    auth_method text NOT NULL CHECK (auth_method IN ('password', 'oidc')),
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    user_agent text,
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
  )`.execute(db);
  await sql`CREATE INDEX sessions_user ON sessions (org_id, user_id)`.execute(db);
  await enableTenantRls(db, 'sessions');

  // One OIDC issuer per org. The client secret is stored encrypted (see apps/server secrets).
  await sql`CREATE TABLE oidc_configs (
    org_id uuid PRIMARY KEY REFERENCES orgs (id) ON DELETE CASCADE,
    issuer_url text NOT NULL,
    client_id text NOT NULL,
    client_secret_enc text NOT NULL,
    email_domains text[] NOT NULL DEFAULT '{}',
    default_role text NOT NULL DEFAULT 'employee'
      CHECK (default_role IN ('admin', 'manager', 'employee', 'auditor')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
  await enableTenantRls(db, 'oidc_configs');
}
