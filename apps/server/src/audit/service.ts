import type { AuditActorType, Database, Tx } from '@toktra/db';
import { sql } from 'kysely';
import { getOrg } from '../orgs/service.js';
import { commitPersonal, hashEntry, newSalt } from './hash.js';

export interface Actor {
  type: AuditActorType;
  id: string | null;
}

export interface AuditInput {
  action: string;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
}

/**
 * Appends one entry to the org's hash chain inside the caller's transaction, so the entry exists
 * exactly when the change it records does. A per-org advisory lock serialises concurrent appends.
 */
export async function appendAudit(tx: Tx, orgId: string, actor: Actor, input: AuditInput): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`audit:${orgId}`}, 0))`.execute(tx.db);
  const last = await tx.db
    .selectFrom('audit_log')
    .select(['seq', 'hash'])
    .where('org_id', '=', orgId)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  // Format 2: the chain commits to the personal fields through a salted hash (audit/hash.ts), so a
  // DSAR erasure can pseudonymise them later without breaking verification.
  const salt = newSalt();
  const personal = {
    actor_id: actor.id,
    target_id: input.targetId ?? null,
    details: input.details ?? {},
  };
  const entry = {
    format: 2,
    org_id: orgId,
    seq: (last?.seq ?? 0) + 1,
    at: new Date(),
    actor_type: actor.type,
    action: input.action,
    target_type: input.targetType ?? null,
    ...personal,
    personal_salt: salt,
    personal_commitment: commitPersonal(salt, personal),
  };
  const prevHash = last?.hash ?? '';
  await tx.db
    .insertInto('audit_log')
    .values({
      ...entry,
      details: JSON.stringify(entry.details),
      prev_hash: prevHash,
      hash: hashEntry(prevHash, entry),
    })
    .execute();
}

export type AuditVerification =
  | { ok: true; entries: number }
  | { ok: false; entries: number; brokenAtSeq: number; reason: string };

/** Recomputes the org's whole chain and reports the first entry that does not match. */
export async function verifyAuditChain(db: Database, orgId: string): Promise<AuditVerification> {
  await getOrg(db, orgId);
  return db.withTenant(orgId, async ({ db: trx }) => {
    let prevHash = '';
    let expectedSeq = 1;
    for (;;) {
      const page = await trx
        .selectFrom('audit_log')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('seq', '>=', expectedSeq)
        .orderBy('seq')
        .limit(1000)
        .execute();
      for (const row of page) {
        const broken = (reason: string) => ({
          ok: false as const,
          entries: expectedSeq - 1,
          brokenAtSeq: row.seq,
          reason,
        });
        if (row.seq !== expectedSeq) return broken(`entry ${expectedSeq} is missing`);
        if (row.prev_hash !== prevHash) return broken('prev_hash does not match the previous entry');
        const problem = checkEntry(prevHash, row);
        if (problem) return broken(problem);
        prevHash = row.hash;
        expectedSeq += 1;
      }
      if (page.length < 1000) return { ok: true, entries: expectedSeq - 1 };
    }
  });
}

type StoredEntry = Parameters<typeof hashEntry>[1] & {
  hash: string;
  personal_salt: string | null;
  redacted_at: Date | null;
};

/**
 * Format 2: the chain hash covers the commitment; an intact entry's values must also match it.
 * A redacted entry's values cannot (the salt is gone), which is the point: its non-personal fields
 * and its place in the chain still verify. A redacted format-1 entry keeps only its link: its
 * stored hash is taken as given, and both neighbours' links to it are still checked.
 */
function checkEntry(prevHash: string, row: StoredEntry): string | undefined {
  if (row.format === 2) {
    if (hashEntry(prevHash, row) !== row.hash) return 'entry content does not match its hash';
    if (row.redacted_at) return row.personal_salt ? 'a redacted entry still has its salt' : undefined;
    if (!row.personal_salt || commitPersonal(row.personal_salt, row) !== row.personal_commitment) {
      return 'personal fields do not match their commitment';
    }
    return undefined;
  }
  if (row.redacted_at) return undefined;
  return hashEntry(prevHash, row) !== row.hash ? 'entry content does not match its hash' : undefined;
}
