import { type Kysely, sql } from 'kysely';

/**
 * Sign-in throttling shared by every server process (an in-memory counter is per process, so N
 * processes would allow N times the guesses). Deployment-wide, in the home store: no `org_id`,
 * because a sign-in is throttled before anyone knows which org it is for. Keys are SHA-256 hashes
 * (of the email, the client address, or a known-device token), never the values themselves.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE sign_in_throttle (
    key text PRIMARY KEY,
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    window_started_at timestamptz NOT NULL DEFAULT now(),
    blocked_until timestamptz
  )`.execute(db);
  await sql`CREATE INDEX sign_in_throttle_window ON sign_in_throttle (window_started_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE sign_in_throttle`.execute(db);
}
