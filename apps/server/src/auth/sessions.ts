import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '@toktra/core';
import { type Database, findInStores, type SessionAuthMethod, type Tx, type UserRole } from '@toktra/db';
import { sql } from 'kysely';

export const SESSION_COOKIE = 'toktra_session';
export const CSRF_HEADER = 'x-csrf-token';
const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** Touch `last_seen_at` at most this often, so reads do not write on every request. */
const TOUCH_EVERY_MS = 5 * 60 * 1000;

function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/**
 * The CSRF token is derived from the session secret, so it needs no storage and changes with the
 * session. The page gets it from `GET /v1/me` and echoes it in `x-csrf-token` on unsafe requests;
 * a cross-site form can send the cookie but cannot read this value.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHash('sha256').update(`csrf:${sessionToken}`).digest('base64url');
}

export interface SessionUser {
  sessionId: string;
  orgId: string;
  userId: string;
  role: UserRole;
  departmentId: string | null;
}

export async function createSession(
  db: Database,
  orgId: string,
  userId: string,
  method: SessionAuthMethod,
  userAgent?: string,
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  await db.withTenant(orgId, ({ db: trx }) =>
    trx
      .insertInto('sessions')
      .values({
        org_id: orgId,
        user_id: userId,
        token_hash: digest(token),
        auth_method: method,
        expires_at: expiresAt,
        user_agent: userAgent?.slice(0, 400) ?? null,
      })
      .execute(),
  );
  return { token, expiresAt };
}

/** Resolves a cookie secret to its live session and user, or throws `unauthorized`. */
export async function resolveSession(db: Database, token: string): Promise<SessionUser> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) throw new AppError('unauthorized', 'not signed in');
  // Cross-tenant by nature: the cookie is the only thing that names the org.
  const row = await findInStores(db, ({ db: trx }) =>
    trx
      .selectFrom('sessions')
      .innerJoin('users', (join) =>
        join.onRef('users.id', '=', 'sessions.user_id').onRef('users.org_id', '=', 'sessions.org_id'),
      )
      .select([
        'sessions.id',
        'sessions.org_id',
        'sessions.user_id',
        'sessions.expires_at',
        'sessions.last_seen_at',
        'users.role',
        'users.department_id',
      ])
      .where('sessions.token_hash', '=', digest(token))
      .executeTakeFirst(),
  );
  if (!row || row.expires_at <= new Date()) throw new AppError('unauthorized', 'session expired');
  if (Date.now() - row.last_seen_at.getTime() > TOUCH_EVERY_MS) {
    await db.withTenant(row.org_id, ({ db: trx }) =>
      trx
        .updateTable('sessions')
        .set({ last_seen_at: new Date() })
        .where('org_id', '=', row.org_id)
        .where('id', '=', row.id)
        .execute(),
    );
  }
  return {
    sessionId: row.id,
    orgId: row.org_id,
    userId: row.user_id,
    role: row.role,
    departmentId: row.department_id,
  };
}

export async function deleteSession(db: Database, token: string): Promise<void> {
  for (const store of db.stores())
    await store.system(({ db: trx }) =>
      trx.deleteFrom('sessions').where('token_hash', '=', digest(token)).execute(),
    );
}

/** A department and all its descendants, the department itself first. */
export async function departmentSubtree(tx: Tx, orgId: string, departmentId: string): Promise<string[]> {
  const result = await sql<{ id: string }>`
    WITH RECURSIVE tree AS (
      SELECT id, 0 AS depth FROM departments WHERE org_id = ${orgId} AND id = ${departmentId}
      UNION ALL
      SELECT d.id, tree.depth + 1 FROM departments d JOIN tree ON d.parent_id = tree.id
      WHERE d.org_id = ${orgId}
    )
    SELECT id FROM tree ORDER BY depth`.execute(tx.db);
  return result.rows.map((r) => r.id);
}
