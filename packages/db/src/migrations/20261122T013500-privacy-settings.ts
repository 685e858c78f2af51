import { type Kysely, sql } from 'kysely';
import { enableTenantRls } from '../rls.js';

/**
 * Privacy Hours set in the employee portal: one row per user, readable and writable only through
 * that user's own session (`/v1/me/privacy`) and handed to the user's devices over mTLS. No admin
 * read path joins this table; admins see only `devices.privacy_state` (off/configured/active).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE privacy_settings (
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    user_id uuid NOT NULL,
    time_zone text NOT NULL,
    windows jsonb NOT NULL DEFAULT '[]',
    paused_until timestamptz,
    paused_indefinitely boolean NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, user_id),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
  )`.execute(db);
  await enableTenantRls(db, 'privacy_settings');
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE privacy_settings`.execute(db);
}
