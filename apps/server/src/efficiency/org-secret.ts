import { randomBytes } from 'node:crypto';
import type { Tx } from '@toktra/db';

/**
 * The org's insight secret: random, created on first use, never leaves the server. It keys
 * leaderboard pseudonyms (stable for the org's lifetime) and export download signatures.
 */
export async function getInsightSecret(tx: Tx, orgId: string): Promise<Buffer> {
  const existing = await tx.db
    .selectFrom('insight_secrets')
    .select('secret')
    .where('org_id', '=', orgId)
    .executeTakeFirst();
  if (existing) return Buffer.from(existing.secret);
  await tx.db
    .insertInto('insight_secrets')
    .values({ org_id: orgId, secret: randomBytes(32) })
    .onConflict((oc) => oc.column('org_id').doNothing())
    .execute();
  const row = await tx.db
    .selectFrom('insight_secrets')
    .select('secret')
    .where('org_id', '=', orgId)
    .executeTakeFirstOrThrow();
  return Buffer.from(row.secret);
}
