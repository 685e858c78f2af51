import type { Tx } from '@toktra/db';
import { sql } from 'kysely';

function escapeRegex(value: string): string {
  return value.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

function replaceAll(text: string, pairs: [string, string][]): string {
  let out = text;
  for (const [from, to] of pairs) out = out.replace(new RegExp(escapeRegex(from), 'gi'), to);
  return out;
}

/**
 * The one path that may rewrite audit entries (DSAR erasure). In the caller's transaction, with
 * `toktra.audit_redaction` on for that transaction only, it replaces each identifier in an entry's
 * actor, target and details, drops the entry's salt and stamps `redacted_at`. Format-2 entries
 * keep verifying because the chain covers their commitment, not the values (ADR 0002).
 * Returns how many entries were redacted.
 */
export async function redactAuditEntries(tx: Tx, orgId: string, pairs: [string, string][]): Promise<number> {
  if (pairs.length === 0) return 0;
  const pattern = pairs.map(([from]) => escapeRegex(from)).join('|');
  const rows = await tx.db
    .selectFrom('audit_log')
    .select(['seq', 'actor_id', 'target_id', 'details'])
    .where('org_id', '=', orgId)
    .where((eb) =>
      eb.or([
        eb('actor_id', '~*', pattern),
        eb('target_id', '~*', pattern),
        eb(sql`details::text`, '~*', pattern),
      ]),
    )
    .execute();
  if (rows.length === 0) return 0;
  await sql`SELECT set_config('toktra.audit_redaction', 'on', true)`.execute(tx.db);
  for (const row of rows) {
    await sql`UPDATE audit_log SET
        actor_id = ${row.actor_id === null ? null : replaceAll(row.actor_id, pairs)},
        target_id = ${row.target_id === null ? null : replaceAll(row.target_id, pairs)},
        details = ${replaceAll(JSON.stringify(row.details), pairs)}::jsonb,
        personal_salt = NULL, redacted_at = now()
      WHERE org_id = ${orgId}::uuid AND seq = ${row.seq}`.execute(tx.db);
  }
  await sql`SELECT set_config('toktra.audit_redaction', 'off', true)`.execute(tx.db);
  return rows.length;
}
