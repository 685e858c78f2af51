import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '@toktra/core';
import { type Database, findInStores } from '@toktra/db';
import { type Actor, appendAudit } from '../audit/service.js';
import { getOrg } from '../orgs/service.js';

const TOKEN_PATTERN = /^tkenr_[A-Za-z0-9_-]{43}$/;

export function hashEnrollToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface CreateEnrollTokenInput {
  maxUses: number;
  ttlMs: number;
  /** Devices enrolled with the token belong to this user. */
  ownerUserId?: string | undefined;
}

/** Issues an enrollment token, shown once; only its hash is stored. */
export async function createEnrollToken(
  db: Database,
  orgId: string,
  actor: Actor,
  input: CreateEnrollTokenInput,
): Promise<{ id: string; token: string; expiresAt: Date }> {
  await getOrg(db, orgId);
  const token = `tkenr_${randomBytes(32).toString('base64url')}`;
  const expiresAt = new Date(Date.now() + input.ttlMs);
  return db.withTenant(orgId, async (tx) => {
    if (input.ownerUserId) {
      const owner = await tx.db
        .selectFrom('users')
        .select('id')
        .where('org_id', '=', orgId)
        .where('id', '=', input.ownerUserId)
        .executeTakeFirst();
      if (!owner) throw new AppError('not_found', `user ${input.ownerUserId} not found`);
    }
    const row = await tx.db
      .insertInto('enroll_tokens')
      .values({
        org_id: orgId,
        token_hash: hashEnrollToken(token),
        max_uses: input.maxUses,
        owner_user_id: input.ownerUserId ?? null,
        expires_at: expiresAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendAudit(tx, orgId, actor, {
      action: 'enroll_token.create',
      targetType: 'enroll_token',
      targetId: row.id,
      details: {
        max_uses: input.maxUses,
        expires_at: expiresAt.toISOString(),
        owner_user_id: input.ownerUserId,
      },
    });
    return { id: row.id, token, expiresAt };
  });
}

/** The org a presented token belongs to (a cross-tenant lookup by hash), or `unauthorized`. */
export async function resolveEnrollToken(
  db: Database,
  token: string,
): Promise<{ id: string; orgId: string }> {
  const invalid = new AppError('unauthorized', 'enrollment token is not valid');
  if (!TOKEN_PATTERN.test(token)) throw invalid;
  const row = await findInStores(db, ({ db: trx }) =>
    trx
      .selectFrom('enroll_tokens')
      .select(['id', 'org_id'])
      .where('token_hash', '=', hashEnrollToken(token))
      .executeTakeFirst(),
  );
  if (!row) throw invalid;
  return { id: row.id, orgId: row.org_id };
}
