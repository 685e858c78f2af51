import type { Tx } from '@toktra/db';
import type { ErasureRule } from '../data-requests/rule-types.js';
import type { Subject } from '../data-requests/subject.js';

const enrollmentsOf = (tx: Tx, s: Subject) =>
  tx.db
    .selectFrom('perk_enrollments')
    .select('id')
    .where('org_id', '=', s.orgId)
    .where('user_id', '=', s.userId);

async function deleteFrom(tx: Tx, s: Subject, table: 'perk_ledger_entries' | 'perk_redemptions') {
  const result = await tx.db
    .deleteFrom(table)
    .where('org_id', '=', s.orgId)
    .where('enrollment_id', 'in', enrollmentsOf(tx, s))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Token Perks under a data subject request (spread into ERASURE_RULES). Erasure deletes the
 * person's enrollment, sealed ledger and redemptions. The rules carry no `about` on purpose, so
 * the access export (which whoever processes the request may read) leaves them out: the ledger is
 * ciphertext only the employee can open — they read and decrypt it in their portal — and the
 * enrollment row would tell the reader that they opted in, its wrapped key would hand them
 * something to attack offline, and redemptions are individual amounts admins must not see.
 */
export const PERKS_ERASURE_RULES: ErasureRule[] = [
  {
    table: 'perk_ledger_entries',
    personal: true,
    custom: (_ctx, tx, s) => deleteFrom(tx, s, 'perk_ledger_entries'),
    why: 'the person’s sealed personal usage (HPKE ciphertext; also deleted after 90 days)',
  },
  {
    table: 'perk_redemptions',
    personal: true,
    custom: (_ctx, tx, s) => deleteFrom(tx, s, 'perk_redemptions'),
    why: 'amounts the person redeemed against their perk allowance',
  },
  {
    table: 'perk_enrollments',
    personal: true,
    custom: async (_ctx, tx, s) => {
      const result = await tx.db
        .deleteFrom('perk_enrollments')
        .where('org_id', '=', s.orgId)
        .where('user_id', '=', s.userId)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    why: 'the person’s opt-in: public key and passphrase-wrapped private key',
  },
  { table: 'perk_settings', personal: false, why: 'the org’s monthly allowance, the same for everyone' },
];
