import type { Tx } from '@toktra/db';
import { type RawBuilder, sql } from 'kysely';
import type { AppContext } from '../context.js';
import { ERASURE_RULES } from './erasure-rules.js';
import type { ErasureRule, PersonalRule } from './rule-types.js';
import { escapeRegex, identifierPattern, replacements, type Subject } from './subject.js';

/** The column types of the tables rules redact, so jsonb is rewritten as text and cast back. */
async function columnTypes(tx: Tx): Promise<Map<string, string>> {
  const rows = await sql<{ table_name: string; column_name: string; data_type: string }>`
    SELECT table_name, column_name, data_type FROM information_schema.columns
    WHERE table_schema = 'public'`.execute(tx.db);
  return new Map(rows.rows.map((r) => [`${r.table_name}.${r.column_name}`, r.data_type]));
}

/** `regexp_replace(…)` for every identifier over one column, as text. */
function replaced(column: RawBuilder<unknown>, pairs: [string, string][]): RawBuilder<unknown> {
  let expr = column;
  for (const [from, to] of pairs) expr = sql`regexp_replace(${expr}, ${escapeRegex(from)}, ${to}, 'gi')`;
  return expr;
}

async function applyRule(
  ctx: AppContext,
  tx: Tx,
  s: Subject,
  rule: PersonalRule,
  types: Map<string, string>,
) {
  const table = sql.table(rule.table);
  const org = sql`org_id = ${s.orgId}::uuid`;
  let changed = 0;
  const count = (r: { numAffectedRows?: bigint }) => {
    changed += Number(r.numAffectedRows ?? 0);
  };
  // Links first: rows that point at the person (a manager's reports) must let go before it goes.
  for (const [column, to] of Object.entries(rule.links ?? {})) {
    const value = to === 'null' ? sql`NULL` : sql`${s.pseudonym}::uuid`;
    count(
      await sql`UPDATE ${table} SET ${sql.ref(column)} = ${value}
        WHERE ${org} AND ${sql.ref(column)} = ${s.userId}::uuid`.execute(tx.db),
    );
  }
  if (rule.about && rule.onRows === 'delete') {
    count(await sql`DELETE FROM ${table} WHERE ${org} AND ${rule.about(s)}`.execute(tx.db));
  } else if (rule.about && typeof rule.onRows === 'function') {
    count(await sql`UPDATE ${table} SET ${rule.onRows(s)} WHERE ${org} AND ${rule.about(s)}`.execute(tx.db));
  }
  const pairs = replacements(s);
  const pattern = identifierPattern(s);
  for (const column of rule.redact ?? []) {
    const type = types.get(`${rule.table}.${column}`);
    if (!type) throw new Error(`erasure rule ${rule.table}: no column ${column}`);
    const ref = sql.ref(column);
    const text = replaced(sql`${ref}::text`, pairs);
    const value = type === 'jsonb' ? sql`(${text})::jsonb` : type === 'ARRAY' ? sql`(${text})::text[]` : text;
    count(
      await sql`UPDATE ${table} SET ${ref} = ${value} WHERE ${org} AND ${ref}::text ~* ${pattern}`.execute(
        tx.db,
      ),
    );
  }
  if (rule.custom) changed += await rule.custom(ctx, tx, s);
  return changed;
}

/**
 * Erases one person from one org, table by table as ERASURE_RULES say, in the caller's
 * transaction (the owner's, since events and audit entries are not writable by the app role).
 * Returns the number of rows (or files) each table's rule touched — counts, never values.
 */
export async function eraseSubject(
  ctx: AppContext,
  tx: Tx,
  subject: Subject,
  rules: ErasureRule[] = ERASURE_RULES,
): Promise<Record<string, number>> {
  const types = await columnTypes(tx);
  const report: Record<string, number> = {};
  for (const rule of rules) {
    if (!rule.personal) continue;
    report[rule.table] = await applyRule(ctx, tx, subject, rule, types);
  }
  return report;
}
