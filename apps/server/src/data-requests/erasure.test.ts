import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestDatabase } from '@toktra/db/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../audit/service.js';
import { orgScope } from '../auth/scope.js';
import type { AppContext } from '../context.js';
import { createExport } from '../exports/service.js';
import { jobDefinitions } from '../jobs/registry.js';
import { JobRunner } from '../jobs/runner.js';
import { createTestContext, type SeededOrg, seedOrg } from '../usage/testing.js';
import { createDataRequest, executeErasure, fulfilAccess, getDataRequest } from './service.js';
import { SUBJECT, seedSubjectEverywhere } from './testing.js';

let ctx: AppContext;
let handle: TestDatabase;
let dataDir: string;
let a: SeededOrg;
let b: SeededOrg;
let subjectId: string;
let accessId: string;
const admin = () => ({ type: 'user' as const, id: a.adminId });

/** Every table of the public schema, from the catalogue (not from our own list). */
async function allTables(): Promise<string[]> {
  const rows = await ctx.db.system(({ db }) =>
    sql<{ relname: string }>`SELECT relname FROM pg_class
      WHERE relkind IN ('r', 'p') AND relnamespace = 'public'::regnamespace ORDER BY relname`.execute(db),
  );
  return rows.rows.map((r) => r.relname);
}

/** Rows (any table, any org) whose text form contains `needle`, case-insensitively. */
async function tablesMentioning(needle: string): Promise<string[]> {
  const hits: string[] = [];
  for (const table of await allTables()) {
    const found = await ctx.db.system(({ db }) =>
      sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)} t
        WHERE t::text ILIKE ${`%${needle}%`}`.execute(db),
    );
    if ((found.rows[0]?.n ?? 0) > 0) hits.push(table);
  }
  return hits;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

function filesMentioning(needle: string): string[] {
  return filesUnder(dataDir).filter((f) =>
    readFileSync(f, 'latin1').toLowerCase().includes(needle.toLowerCase()),
  );
}

async function totals(orgId: string) {
  const q = (table: 'events' | 'usage_daily' | 'usage_hourly') =>
    ctx.db.system(({ db }) =>
      sql<{ tokens: number; bytes: number }>`SELECT coalesce(sum(est_input_tokens), 0)::float8 AS tokens,
      coalesce(sum(bytes_up), 0)::float8 AS bytes FROM ${sql.table(table)} WHERE org_id = ${orgId}::uuid`
        .execute(db)
        .then((r) => r.rows[0]),
    );
  return { events: await q('events'), daily: await q('usage_daily'), hourly: await q('usage_hourly') };
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'toktra-erasure-'));
  ({ ctx, handle } = await createTestContext({ dataDir }));
  a = await seedOrg(ctx, 'erase-a');
  b = await seedOrg(ctx, 'erase-b');
  subjectId = a.users.alice;
  await seedSubjectEverywhere(ctx, a, subjectId);
  // A usage export with a row per user (names and emails) lands on disk.
  const today = new Date().toISOString().slice(0, 10);
  await createExport(ctx, orgScope(a.orgId), admin(), {
    startDate: today,
    endDate: today,
    format: 'csv',
    scope: 'users',
  });
  await new JobRunner(ctx, jobDefinitions).runOnce();
  // An earlier access request of the same person, fulfilled: its files are on disk too.
  const access = await createDataRequest(ctx, a.orgId, subjectId, { kind: 'access', regime: 'gdpr' });
  await fulfilAccess(ctx, a.orgId, admin(), access.id);
  accessId = access.id;
}, 60_000);
afterAll(async () => {
  await handle.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('access export', () => {
  it('holds the person’s usage but never their Privacy Hours or Token Perks (admins read it)', async () => {
    const file = path.join(dataDir, 'data-requests', a.orgId, `${accessId}.json`);
    const data = JSON.parse(readFileSync(file, 'utf8')) as { tables: Record<string, unknown[]> };
    expect(Object.keys(data.tables)).toEqual(expect.arrayContaining(['users', 'events']));
    const held = Object.keys(data.tables).filter((t) => t === 'privacy_settings' || t.startsWith('perk_'));
    expect(held).toEqual([]);
  });
});

describe('erasure', () => {
  it('the seed really put the subject into many tables and files', async () => {
    const tables = await tablesMentioning(subjectId);
    expect(tables.length).toBeGreaterThan(20);
    expect(await tablesMentioning(SUBJECT.email)).toEqual(
      expect.arrayContaining(['users', 'alerts', 'audit_log']),
    );
    expect(filesMentioning(SUBJECT.email).length).toBeGreaterThanOrEqual(3);
  });

  it('leaves no trace of the subject in any table or file, and the audit chain verifies', async () => {
    const before = await totals(a.orgId);
    const bobEvents = await ctx.db.system(({ db }) =>
      db
        .selectFrom('events')
        .select(sql<number>`count(*)::int`.as('n'))
        .where('user_id', '=', a.users.bob)
        .executeTakeFirstOrThrow(),
    );
    const request = await createDataRequest(ctx, a.orgId, subjectId, { kind: 'erasure', regime: 'gdpr' });
    const done = await executeErasure(ctx, a.orgId, admin(), request.id);
    expect(done).toMatchObject({ status: 'completed', outcome: 'erased', subject: null });

    const identifiers = [
      subjectId,
      SUBJECT.email,
      SUBJECT.name,
      SUBJECT.osUser,
      SUBJECT.hostname,
      SUBJECT.slackId,
      SUBJECT.githubLogin,
    ];
    for (const id of identifiers) {
      expect({ id, tables: await tablesMentioning(id) }).toEqual({ id, tables: [] });
      expect({ id, files: filesMentioning(id) }).toEqual({ id, files: [] });
    }
    expect(await verifyAuditChain(ctx.db, a.orgId)).toMatchObject({ ok: true });
    expect(await verifyAuditChain(ctx.db, b.orgId)).toMatchObject({ ok: true });

    // Usage moved to the pseudonym: org totals unchanged, rollups still equal the events.
    const after = await totals(a.orgId);
    expect(after).toEqual(before);
    expect(after.daily).toEqual(after.events);
    const moved = await ctx.db.system(({ db }) =>
      db
        .selectFrom('events')
        .select(sql<number>`count(*)::int`.as('n'))
        .where('user_id', '=', done.pseudonym)
        .executeTakeFirstOrThrow(),
    );
    expect(moved.n).toBe(4);
    // Nobody else lost anything.
    const bobAfter = await ctx.db.system(({ db }) =>
      db
        .selectFrom('events')
        .select(sql<number>`count(*)::int`.as('n'))
        .where('user_id', '=', a.users.bob)
        .executeTakeFirstOrThrow(),
    );
    expect(bobAfter.n).toBe(bobEvents.n);
    const others = await ctx.db.system(({ db }) =>
      db.selectFrom('users').select('name').where('org_id', '=', b.orgId).execute(),
    );
    expect(others.map((u) => u.name)).toContain('alice');
  });

  it('the request keeps only kind, regime, dates, outcome and the pseudonym', async () => {
    const rows = await ctx.db.system(({ db }) =>
      db.selectFrom('data_requests').selectAll().where('org_id', '=', a.orgId).execute(),
    );
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.subject_user_id).toBeNull();
      expect(row.export_paths).toEqual([]);
    }
    const view = await getDataRequest(ctx, a.orgId, rows[0]?.id ?? '');
    expect(view.subject).toBeNull();
  });

  it('redacted audit entries still expose their non-personal fields, and tampering is caught', async () => {
    const redacted = await ctx.db.system(({ db }) =>
      db
        .selectFrom('audit_log')
        .select(['seq', 'action', 'redacted_at', 'personal_salt'])
        .where('org_id', '=', a.orgId)
        .where('redacted_at', 'is not', null)
        .execute(),
    );
    expect(redacted.length).toBeGreaterThan(0);
    expect(redacted.every((r) => r.personal_salt === null)).toBe(true);
    const seq = redacted[0]?.seq ?? 0;
    await ctx.db.system(async ({ db }) => {
      await sql`SELECT set_config('toktra.audit_redaction', 'on', true)`.execute(db);
      await sql`UPDATE audit_log SET action = 'forged' WHERE org_id = ${a.orgId}::uuid AND seq = ${seq}`.execute(
        db,
      );
    });
    expect(await verifyAuditChain(ctx.db, a.orgId)).toMatchObject({ ok: false, brokenAtSeq: seq });
  });
});

describe('erasing a manager (issue 16: HTTP 500 from a foreign key)', () => {
  it('erases a person others report to, and their reports lose the manager, nothing else', async () => {
    const org = await seedOrg(ctx, 'erase-manager');
    const manager = org.users.alice;
    await ctx.db.system(({ db }) =>
      db
        .updateTable('users')
        .set({ manager_id: manager })
        .where('org_id', '=', org.orgId)
        .where('id', 'in', [org.users.bob, org.users.dave])
        .execute(),
    );
    const request = await createDataRequest(ctx, org.orgId, manager, { kind: 'erasure', regime: 'gdpr' });
    const by = { type: 'user' as const, id: org.adminId };
    await expect(executeErasure(ctx, org.orgId, by, request.id)).resolves.toMatchObject({
      status: 'completed',
      outcome: 'erased',
    });
    const reports = await ctx.db.system(({ db }) =>
      db
        .selectFrom('users')
        .select(['id', 'manager_id'])
        .where('org_id', '=', org.orgId)
        .where('id', 'in', [org.users.bob, org.users.dave, manager])
        .execute(),
    );
    expect(reports.map((r) => r.id).sort()).toEqual([org.users.bob, org.users.dave].sort());
    expect(reports.every((r) => r.manager_id === null)).toBe(true);
  });
});
