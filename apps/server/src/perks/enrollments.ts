import { AppError } from '@toktra/core';
import type { WrappedKey } from '@toktra/perks';
import type { AppContext } from '../context.js';
import { type AllowanceView, allowanceFor } from './allowance.js';
import { findEnrollment, requireEnrollment } from './lookup.js';

export interface EnrollmentView {
  id: string;
  public_key: string;
  wrapped_private_key: WrappedKey | null;
  created_at: string;
}

export interface MyPerksView {
  enrollment: EnrollmentView | null;
  /** This month's allowance; null while not enrolled. */
  allowance: AllowanceView | null;
}

function view(row: NonNullable<Awaited<ReturnType<typeof findEnrollment>>>): EnrollmentView {
  return {
    id: row.id,
    public_key: row.public_key,
    wrapped_private_key: (row.wrapped_private_key as WrappedKey | null) ?? null,
    created_at: row.created_at.toISOString(),
  };
}

export async function getMyPerks(
  ctx: AppContext,
  orgId: string,
  userId: string,
  now = new Date(),
): Promise<MyPerksView> {
  return ctx.db.withTenant(orgId, async (tx) => {
    const row = await findEnrollment(tx, orgId, userId);
    if (!row) return { enrollment: null, allowance: null };
    return { enrollment: view(row), allowance: await allowanceFor(tx, orgId, row.id, now) };
  });
}

/**
 * Opt-in. The key pair was made in the employee's browser; the server keeps the public key and,
 * if the employee chose, the passphrase-wrapped private key it cannot open. No audit entry: who
 * opted in is exactly what admins must not learn (they see only the count).
 */
export async function enroll(
  ctx: AppContext,
  orgId: string,
  userId: string,
  input: { publicKey: string; wrappedPrivateKey: WrappedKey | null },
): Promise<EnrollmentView> {
  return ctx.db.withTenant(orgId, async (tx) => {
    if (await findEnrollment(tx, orgId, userId)) {
      throw new AppError('conflict', 'you are already enrolled; opt out first to start over with a new key');
    }
    await tx.db
      .insertInto('perk_enrollments')
      .values({
        org_id: orgId,
        user_id: userId,
        public_key: input.publicKey,
        wrapped_private_key: input.wrappedPrivateKey ? JSON.stringify(input.wrappedPrivateKey) : null,
      })
      .execute();
    return view(await requireEnrollment(tx, orgId, userId));
  });
}

/** Opt-out: the enrollment and, by cascade, every ledger entry and redemption of it are deleted. */
export async function unenroll(ctx: AppContext, orgId: string, userId: string): Promise<void> {
  await ctx.db.withTenant(orgId, async (tx) => {
    const enrollment = await requireEnrollment(tx, orgId, userId);
    await tx.db
      .deleteFrom('perk_enrollments')
      .where('org_id', '=', orgId)
      .where('id', '=', enrollment.id)
      .execute();
  });
}
