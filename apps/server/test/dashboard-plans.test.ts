import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrateToLatest, type RegionStore } from '@toktra/db';
import { createTestDatabase, type TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardCalls } from '../../../bench/dashboard/calls.js';
import {
  type CapturingStore,
  captureQueries,
  explainQueries,
  unboundedEventScans,
} from '../../../bench/dashboard/plans.js';
import { resolveConfig } from '../src/config.js';
import { createContext } from '../src/context.js';
import { DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, DEMO_EMPLOYEE_EMAIL, seedDemoOrg } from '../src/demo/seed.js';
import { refreshEfficiencyScores } from '../src/efficiency/job.js';
import { buildHttpApp, type HttpApp } from '../src/http/app.js';

/**
 * The CI guard of the dashboard benchmark (bench/dashboard): on the demo org, every API call a
 * dashboard page makes is run through the real HTTP stack, each SQL statement it runs is
 * EXPLAINed with sequential scans disabled, and no plan may still scan the raw events — the
 * dashboard reads rollups and job results, whose size does not grow with every call people make.
 */
let handle: TestDatabase;
let capture: CapturingStore;
let app: HttpApp;
let cookie: string;
let orgId: string;
let ids: { department: string; user: string };

beforeAll(async () => {
  handle = await createTestDatabase({ migrate: false });
  await migrateToLatest(handle.db.kysely);
  capture = captureQueries(handle.db);
  const ctx = createContext(
    resolveConfig({ dataDir: mkdtempSync(path.join(tmpdir(), 'toktra-plans-')), logLevel: 'silent' }),
    capture.db,
  );
  orgId = (await seedDemoOrg(ctx)).orgId;
  await refreshEfficiencyScores(ctx, orgId);
  ids = await handle.db.withTenant(orgId, async (tx) => ({
    department: (
      await tx.db
        .selectFrom('departments')
        .select('id')
        .where('name', '=', 'Engineering')
        .executeTakeFirstOrThrow()
    ).id,
    user: (
      await tx.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', DEMO_EMPLOYEE_EMAIL)
        .executeTakeFirstOrThrow()
    ).id,
  }));
  app = await buildHttpApp(ctx);
  const signIn = await app.inject({
    method: 'POST',
    url: '/auth/sign-in',
    payload: { email: DEMO_ADMIN_EMAIL, password: DEMO_ADMIN_PASSWORD },
  });
  cookie = String(signIn.headers['set-cookie']).split(';')[0] ?? '';
}, 300_000);

afterAll(async () => {
  await app?.close();
  await handle?.drop();
});

describe('dashboard query plans', () => {
  it('no dashboard call scans the raw events, on any page', async () => {
    const offenders: string[] = [];
    for (const call of dashboardCalls(ids)) {
      capture.take();
      const res = await app.inject({ url: call.url, headers: { cookie } });
      expect(res.statusCode, `${call.label}: ${res.body.slice(0, 200)}`).toBe(200);
      const plans = await explainQueries(handle.db as RegionStore, orgId, capture.take());
      expect(plans.length, call.label).toBeGreaterThan(0);
      for (const p of plans)
        if (unboundedEventScans(p.plan).length > 0) offenders.push(`${call.label}:\n${p.sql}\n${p.plan}`);
    }
    expect(offenders).toEqual([]);
  });

  it('would catch a call that reads all of them, and not one bounded in time', async () => {
    capture.take();
    await capture.db.withTenant(orgId, (tx) =>
      tx.db.selectFrom('events').select('id').where('host', '=', 'x').execute(),
    );
    const plans = await explainQueries(handle.db as RegionStore, orgId, capture.take());
    expect(plans.some((p) => unboundedEventScans(p.plan).length > 0)).toBe(true);
    // …and lets a time-bounded read through.
    await capture.db.withTenant(orgId, (tx) =>
      tx.db
        .selectFrom('events')
        .select('id')
        .where('occurred_at', '>=', new Date(Date.now() - 3_600_000))
        .execute(),
    );
    const bounded = await explainQueries(handle.db as RegionStore, orgId, capture.take());
    expect(bounded.map((p) => unboundedEventScans(p.plan))).toEqual([[]]);
  });
});
