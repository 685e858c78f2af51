import type { TestDatabase } from '@toktra/db/testing';
import { createTestDatabase } from '@toktra/db/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERASURE_RULES } from './erasure-rules.js';

/** Bookkeeping of the migrator itself. */
const NOT_DATA = new Set(['kysely_migration', 'kysely_migration_lock']);

/** Columns that can point at or name a person: any table with one must be covered by a rule. */
const USER_LINKED =
  /(^|_)(user|users|owner|assignee|approver|manager|actor|subject|requested_by|decided_by|created_by|set_by|installed_by|acknowledged_by|email|login|os_user|recipients|hostname|payload|details)(_id|$)/;

let handle: TestDatabase;
let columns: { table: string; column: string }[];

beforeAll(async () => {
  handle = await createTestDatabase();
  const rows = await handle.db.system(({ db }) =>
    sql<{ table: string; column: string }>`SELECT c.relname AS table, a.attname AS column
      FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE c.relkind IN ('r', 'p') AND c.relnamespace = 'public'::regnamespace`.execute(db),
  );
  columns = rows.rows.filter((r) => !NOT_DATA.has(r.table));
}, 60_000);
afterAll(() => handle.drop());

describe('erasure rules', () => {
  it('cover every table of the catalogue: a new table must say whether and how it holds people', () => {
    const tables = [...new Set(columns.map((c) => c.table))].sort();
    const ruled = new Set(ERASURE_RULES.map((r) => r.table));
    const missing = tables.filter((t) => !ruled.has(t));
    const linked = missing.map((t) => ({
      table: t,
      userLinkedColumns: columns
        .filter((c) => c.table === t && USER_LINKED.test(c.column))
        .map((c) => c.column),
    }));
    expect(linked, 'add a rule to apps/server/src/data-requests/erasure-rules.ts').toEqual([]);
  });

  it('name only tables and columns that exist, one rule per table', () => {
    const known = new Set(columns.map((c) => `${c.table}.${c.column}`));
    const tables = ERASURE_RULES.map((r) => r.table);
    expect(tables.length).toBe(new Set(tables).size);
    for (const rule of ERASURE_RULES) {
      expect(
        known.has(`${rule.table}.org_id`) ||
          ['orgs', 'job_schedules', 'sign_in_throttle'].includes(rule.table),
        rule.table,
      ).toBe(true);
      if (!rule.personal) continue;
      for (const column of [...(rule.redact ?? []), ...Object.keys(rule.links ?? {})]) {
        expect(known.has(`${rule.table}.${column}`), `${rule.table}.${column}`).toBe(true);
      }
    }
  });

  it('mark every table with a user-linked column personal, or say why not', () => {
    for (const rule of ERASURE_RULES.filter((r) => !r.personal)) {
      const linked = columns.filter((c) => c.table === rule.table && USER_LINKED.test(c.column));
      expect({ table: rule.table, linked: linked.map((c) => c.column) }).toEqual({
        table: rule.table,
        linked: [],
      });
    }
  });
});
