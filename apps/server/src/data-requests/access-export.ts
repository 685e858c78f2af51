import type { Tx } from '@toktra/db';
import { sql } from 'kysely';
import { ERASURE_RULES } from './erasure-rules.js';
import type { PersonalRule } from './rule-types.js';
import { identifierPattern, type Subject } from './subject.js';

/** Credentials and hashes are about the system, not the person, and never leave the server. */
const SECRET = /password|token_hash|secret|credentials|salt|key_hash|bot_token/;

export interface SubjectData {
  subject: { user_id: string; email: string; name: string; os_users: string[]; devices: string[] };
  generated_at: string;
  tables: Record<string, Record<string, unknown>[]>;
}

/**
 * Everything about one person, from every table the erasure rules mark personal: the rows about
 * them and any row whose free text names them. One source of truth with erasure, so an access
 * export and an erasure always cover the same data.
 */
export async function collectSubjectData(tx: Tx, s: Subject): Promise<SubjectData> {
  const pattern = identifierPattern(s);
  const tables: SubjectData['tables'] = {};
  const personal = ERASURE_RULES.filter((r): r is PersonalRule => r.personal);
  for (const rule of personal) {
    const conditions = [
      ...(rule.about ? [rule.about(s)] : []),
      ...(rule.redact ?? []).map((c) => sql`${sql.ref(c)}::text ~* ${pattern}`),
    ];
    if (conditions.length === 0) continue;
    const rows = await sql<{ row: Record<string, unknown> }>`
      SELECT to_jsonb(t) AS row FROM ${sql.table(rule.table)} t
      WHERE t.org_id = ${s.orgId}::uuid AND (${sql.join(conditions, sql` OR `)})`.execute(tx.db);
    if (rows.rows.length === 0) continue;
    tables[rule.table] = rows.rows.map(({ row }) =>
      Object.fromEntries(Object.entries(row).filter(([k]) => !SECRET.test(k))),
    );
  }
  return {
    subject: { user_id: s.userId, email: s.email, name: s.name, os_users: s.osUsers, devices: s.hostnames },
    generated_at: new Date().toISOString(),
    tables,
  };
}

function csvCell(value: unknown): string {
  const text =
    value === null || value === undefined
      ? ''
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The same data as CSV, one line per value: table, row number, column, value. */
export function toCsv(data: SubjectData): string {
  const lines = ['table,row,column,value'];
  for (const [column, value] of Object.entries(data.subject))
    lines.push(['subject', 0, column, value].map(csvCell).join(','));
  for (const [table, rows] of Object.entries(data.tables)) {
    rows.forEach((row, i) => {
      for (const [column, value] of Object.entries(row))
        lines.push([table, i + 1, column, value].map(csvCell).join(','));
    });
  }
  return `${lines.join('\n')}\n`;
}
