import { createHash, randomBytes } from 'node:crypto';
import { AppError, isUuid } from '@toktra/core';
import { type Database, type ExtensionEnrollment, findInStores } from '@toktra/db';
import { type Actor, appendAudit } from '../audit/service.js';

const TOKEN_PATTERN = /^tkext_[A-Za-z0-9_-]{43}$/;
/** Resolved tokens are cached this long, so the preflight's hot path stays off the database. */
const CACHE_TTL_MS = 30_000;
/** `last_seen_at` is written at most this often per browser. */
const TOUCH_EVERY_MS = 60_000;

export interface ExtensionPrincipal {
  browserId: string;
  orgId: string;
  userId: string;
}

export interface BrowserView {
  id: string;
  user_id: string;
  user_email: string;
  user_name: string;
  name: string;
  enrolled_via: ExtensionEnrollment;
  extension_version: string | null;
  created_at: string;
  last_seen_at: string | null;
  last_sync_at: string | null;
  revoked_at: string | null;
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

const cache = new Map<string, { principal: ExtensionPrincipal; at: number; touched: number }>();

/** Issues a browser token bound to the user and org: shown once, stored as a SHA-256. */
export async function enrollBrowser(
  db: Database,
  orgId: string,
  userId: string,
  input: { via: ExtensionEnrollment; name: string; version?: string | undefined },
): Promise<{ browserId: string; token: string }> {
  const token = `tkext_${randomBytes(32).toString('base64url')}`;
  return db.withTenant(orgId, async (tx) => {
    const row = await tx.db
      .insertInto('extension_browsers')
      .values({
        org_id: orgId,
        user_id: userId,
        token_hash: digest(token),
        enrolled_via: input.via,
        name: input.name.slice(0, 200),
        extension_version: input.version?.slice(0, 40) ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendAudit(
      tx,
      orgId,
      { type: 'user', id: userId },
      {
        action: 'extension_browser.enroll',
        targetType: 'extension_browser',
        targetId: row.id,
        details: { via: input.via },
      },
    );
    return { browserId: row.id, token };
  });
}

/** The browser, user and org behind a presented token, or `unauthorized` (revoked, unknown). */
export async function resolveExtensionToken(db: Database, token: string): Promise<ExtensionPrincipal> {
  const invalid = new AppError(
    'unauthorized',
    'this browser is not enrolled (or was revoked); sign in again',
  );
  if (!TOKEN_PATTERN.test(token)) throw invalid;
  const hash = digest(token);
  const now = Date.now();
  const hit = cache.get(hash);
  if (hit && now - hit.at < CACHE_TTL_MS) {
    if (now - hit.touched > TOUCH_EVERY_MS) {
      hit.touched = now;
      await touch(db, hit.principal, 'last_seen_at');
    }
    return hit.principal;
  }
  // Cross-tenant by nature: the token is the only thing that names the org.
  const row = await findInStores(db, ({ db: trx }) =>
    trx
      .selectFrom('extension_browsers')
      .select(['id', 'org_id', 'user_id', 'revoked_at'])
      .where('token_hash', '=', hash)
      .executeTakeFirst(),
  );
  if (!row || row.revoked_at) {
    cache.delete(hash);
    throw invalid;
  }
  const principal = { browserId: row.id, orgId: row.org_id, userId: row.user_id };
  cache.set(hash, { principal, at: now, touched: now });
  await touch(db, principal, 'last_seen_at');
  return principal;
}

export async function touch(
  db: Database,
  p: ExtensionPrincipal,
  column: 'last_seen_at' | 'last_sync_at',
): Promise<void> {
  await db.withTenant(p.orgId, ({ db: trx }) =>
    trx
      .updateTable('extension_browsers')
      .set(
        column === 'last_sync_at'
          ? { last_sync_at: new Date(), last_seen_at: new Date() }
          : { last_seen_at: new Date() },
      )
      .where('org_id', '=', p.orgId)
      .where('id', '=', p.browserId)
      .execute(),
  );
}

function toView(row: {
  id: string;
  user_id: string;
  email: string;
  user_name: string;
  name: string;
  enrolled_via: ExtensionEnrollment;
  extension_version: string | null;
  created_at: Date;
  last_seen_at: Date | null;
  last_sync_at: Date | null;
  revoked_at: Date | null;
}): BrowserView {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: row.id,
    user_id: row.user_id,
    user_email: row.email,
    user_name: row.user_name,
    name: row.name,
    enrolled_via: row.enrolled_via,
    extension_version: row.extension_version,
    created_at: row.created_at.toISOString(),
    last_seen_at: iso(row.last_seen_at),
    last_sync_at: iso(row.last_sync_at),
    revoked_at: iso(row.revoked_at),
  };
}

/** Enrolled browsers of the org (or of one user), newest first. */
export async function listBrowsers(
  db: Database,
  orgId: string,
  filter: { userId?: string | undefined; browserId?: string | undefined } = {},
): Promise<BrowserView[]> {
  const rows = await db.withTenant(orgId, ({ db: trx }) => {
    let q = trx
      .selectFrom('extension_browsers as b')
      .innerJoin('users as u', (j) => j.onRef('u.org_id', '=', 'b.org_id').onRef('u.id', '=', 'b.user_id'))
      .select([
        'b.id',
        'b.user_id',
        'u.email',
        'u.name as user_name',
        'b.name',
        'b.enrolled_via',
        'b.extension_version',
        'b.created_at',
        'b.last_seen_at',
        'b.last_sync_at',
        'b.revoked_at',
      ])
      .where('b.org_id', '=', orgId);
    if (filter.userId) q = q.where('b.user_id', '=', filter.userId);
    if (filter.browserId) q = q.where('b.id', '=', filter.browserId);
    return q.orderBy('b.created_at', 'desc').limit(1000).execute();
  });
  return rows.map(toView);
}

export async function getBrowser(db: Database, orgId: string, browserId: string): Promise<BrowserView> {
  if (!isUuid(browserId)) throw new AppError('not_found', `browser ${browserId} not found`);
  const [found] = await listBrowsers(db, orgId, { browserId });
  if (!found) throw new AppError('not_found', `browser ${browserId} not found`);
  return found;
}

/** Revokes a browser's token at once (audited); the extension then shows "not enrolled". */
export async function revokeBrowser(
  db: Database,
  orgId: string,
  actor: Actor,
  browserId: string,
): Promise<BrowserView> {
  if (!isUuid(browserId)) throw new AppError('not_found', `browser ${browserId} not found`);
  const revoked = await db.withTenant(orgId, async (tx) => {
    const row = await tx.db
      .updateTable('extension_browsers')
      .set({ revoked_at: new Date() })
      .where('org_id', '=', orgId)
      .where('id', '=', browserId)
      .where('revoked_at', 'is', null)
      .returning(['id', 'token_hash'])
      .executeTakeFirst();
    if (!row) {
      const exists = await tx.db
        .selectFrom('extension_browsers')
        .select('id')
        .where('org_id', '=', orgId)
        .where('id', '=', browserId)
        .executeTakeFirst();
      if (!exists) throw new AppError('not_found', `browser ${browserId} not found`);
      return null;
    }
    await appendAudit(tx, orgId, actor, {
      action: 'extension_browser.revoke',
      targetType: 'extension_browser',
      targetId: browserId,
    });
    return row;
  });
  if (revoked) cache.delete(revoked.token_hash);
  return getBrowser(db, orgId, browserId);
}
