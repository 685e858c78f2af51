import { AppError, isUuid } from '@toktra/core';
import type { Tx } from '@toktra/db';

/** The caller's own enrollment, or undefined. Every employee-side service starts here. */
export async function findEnrollment(tx: Tx, orgId: string, userId: string) {
  if (!isUuid(userId)) return undefined;
  return tx.db
    .selectFrom('perk_enrollments')
    .select(['id', 'public_key', 'wrapped_private_key', 'created_at'])
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export async function requireEnrollment(tx: Tx, orgId: string, userId: string) {
  const enrollment = await findEnrollment(tx, orgId, userId);
  if (!enrollment) throw new AppError('not_found', 'you have not opted in to Token Perks');
  return enrollment;
}
