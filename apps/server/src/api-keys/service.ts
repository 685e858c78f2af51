import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '@toktra/core';
import { type ApiKeyScope, type Database, findInStores } from '@toktra/db';
import { type Actor, appendAudit } from '../audit/service.js';
import { getOrg } from '../orgs/service.js';

const KEY_PATTERN = /^tk_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export interface ApiKeyPrincipal {
  orgId: string;
  keyId: string;
  scopes: ApiKeyScope[];
}

function digest(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/** Issues a key `tk_<prefix>_<secret>`; the secret is returned once and stored only as a hash. */
export async function createApiKey(
  db: Database,
  orgId: string,
  actor: Actor,
  input: { name: string; scopes: ApiKeyScope[] },
): Promise<{ id: string; apiKey: string }> {
  await getOrg(db, orgId);
  const prefix = randomBytes(9).toString('base64url').replace(/[-_]/g, 'x').slice(0, 12);
  const secret = randomBytes(32).toString('base64url');
  return db.withTenant(orgId, async (tx) => {
    const row = await tx.db
      .insertInto('api_keys')
      .values({
        org_id: orgId,
        name: input.name,
        key_prefix: prefix,
        key_hash: digest(secret).toString('hex'),
        scopes: input.scopes,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendAudit(tx, orgId, actor, {
      action: 'api_key.create',
      targetType: 'api_key',
      targetId: row.id,
      details: { name: input.name, scopes: input.scopes },
    });
    return { id: row.id, apiKey: `tk_${prefix}_${secret}` };
  });
}

/** Resolves a presented key to its org and scopes, or throws `unauthorized`. */
export async function authenticateApiKey(db: Database, presented: string): Promise<ApiKeyPrincipal> {
  const match = KEY_PATTERN.exec(presented);
  if (!match) throw new AppError('unauthorized', 'invalid API key');
  const [, prefix, secret] = match as unknown as [string, string, string];
  const row = await findInStores(db, ({ db: trx }) =>
    trx.selectFrom('api_keys').selectAll().where('key_prefix', '=', prefix).executeTakeFirst(),
  );
  const now = new Date();
  if (
    !row ||
    !timingSafeEqual(Buffer.from(row.key_hash, 'hex'), digest(secret)) ||
    row.revoked_at ||
    (row.expires_at && row.expires_at <= now)
  ) {
    throw new AppError('unauthorized', 'invalid API key');
  }
  return { orgId: row.org_id, keyId: row.id, scopes: row.scopes };
}
