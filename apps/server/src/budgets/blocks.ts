import { AppError } from '@toktra/core';
import type { Tx } from '@toktra/db';
import { type Actor, appendAudit } from '../audit/service.js';
import type { AppContext } from '../context.js';
import { emitEvent } from '../events/outbox.js';

export interface UserBlock {
  user_id: string;
  reason: string;
  source: string;
  until: Date | null;
  created_at: Date;
}

export interface BlockInput {
  reason: string;
  /** The block ends by itself at this instant; none = until unblocked. */
  until?: Date | null;
  /** Who blocks: `admin` (default) or `policy:<id>`. */
  source?: string;
  actor?: Actor;
}

const SYSTEM: Actor = { type: 'system', id: null };

async function assertUserInOrg(tx: Tx, orgId: string, userId: string): Promise<void> {
  const row = await tx.db
    .selectFrom('users')
    .select('id')
    .where('org_id', '=', orgId)
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!row) throw new AppError('not_found', `user ${userId} not found`);
}

/**
 * Blocks a user's LLM access: preflight denies them (reason included) until `until` or until
 * unblocked. The "block LLM access" policy action calls this. Re-blocking replaces the reason.
 */
export async function blockUser(
  ctx: AppContext,
  orgId: string,
  userId: string,
  input: BlockInput,
): Promise<UserBlock> {
  if (!input.reason.trim()) throw new AppError('validation_failed', 'a block needs a reason');
  if (input.until && input.until.getTime() <= Date.now()) {
    throw new AppError('validation_failed', 'until must be in the future');
  }
  const source = input.source ?? 'admin';
  return ctx.db.withTenant(orgId, async (tx) => {
    await assertUserInOrg(tx, orgId, userId);
    const values = { reason: input.reason, source, until: input.until ?? null };
    const row = await tx.db
      .insertInto('user_blocks')
      .values({ org_id: orgId, user_id: userId, ...values })
      .onConflict((oc) => oc.columns(['org_id', 'user_id']).doUpdateSet(values))
      .returning(['user_id', 'reason', 'source', 'until', 'created_at'])
      .executeTakeFirstOrThrow();
    await appendAudit(tx, orgId, input.actor ?? SYSTEM, {
      action: 'user.block',
      targetType: 'user',
      targetId: userId,
      details: { reason: row.reason, source, until: row.until?.toISOString() ?? null },
    });
    await emitEvent(ctx, tx, orgId, 'user.blocked', {
      userId,
      block: { reason: row.reason, until: row.until?.toISOString() ?? null },
    });
    return row;
  });
}

/** Lifts a block; returns false when the user was not blocked (nothing is audited then). */
export async function unblockUser(
  ctx: AppContext,
  orgId: string,
  userId: string,
  input: { reason?: string; actor?: Actor } = {},
): Promise<boolean> {
  return ctx.db.withTenant(orgId, async (tx) => {
    await assertUserInOrg(tx, orgId, userId);
    const removed = await tx.db
      .deleteFrom('user_blocks')
      .where('org_id', '=', orgId)
      .where('user_id', '=', userId)
      .returning('source')
      .executeTakeFirst();
    if (!removed) return false;
    await appendAudit(tx, orgId, input.actor ?? SYSTEM, {
      action: 'user.unblock',
      targetType: 'user',
      targetId: userId,
      details: { reason: input.reason ?? null, source: removed.source },
    });
    await emitEvent(ctx, tx, orgId, 'user.blocked', { userId, block: null });
    return true;
  });
}

/** Current blocks (expired ones excluded). */
export async function listBlocks(ctx: AppContext, orgId: string): Promise<UserBlock[]> {
  return ctx.db.withTenant(orgId, ({ db }) =>
    db
      .selectFrom('user_blocks')
      .select(['user_id', 'reason', 'source', 'until', 'created_at'])
      .where('org_id', '=', orgId)
      .where((eb) => eb.or([eb('until', 'is', null), eb('until', '>', new Date())]))
      .orderBy('created_at')
      .execute(),
  );
}
