import { robustZScore, startOfLocalDay } from '@toktra/core';
import type { TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestTokens } from '../budgets/testing.js';
import type { AppContext } from '../context.js';
import { buildHttpApp, type HttpApp } from '../http/app.js';
import { upsertRollups } from '../usage/store.js';
import { bearer, createKey, createTestContext, type SeededOrg, seedOrg } from '../usage/testing.js';
import { addDays, dayInZone } from '../usage/time-zone.js';

/**
 * Issue 19: an org whose history exists as daily rollups only (as `--demo` seeds it, or once raw
 * events are gone) — the policy test must still count every event of the window, and agree with
 * a brute-force recount over the stored days.
 */
const TZ = 'Europe/Berlin';
const DAY = 86_400_000;
let ctx: AppContext;
let handle: TestDatabase;
let app: HttpApp;
let org: SeededOrg;
let key: string;
/** Every stored day: user, department, local day, tokens, events. */
const days: Array<{ user: string; dept: string; day: string; tokens: number; events: number }> = [];

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

beforeAll(async () => {
  ({ ctx, handle } = await createTestContext());
  org = await seedOrg(ctx, 'rollup-history', TZ);
  key = await createKey(ctx, org.orgId, ['read', 'write', 'admin']);
  app = await buildHttpApp(ctx);
  const r = rng(7);
  const people: Array<[string, string]> = [
    [org.users.alice, org.departments.backend],
    [org.users.bob, org.departments.platform],
    [org.users.carol, org.departments.engineering],
    [org.users.dave, org.departments.sales],
  ];
  const today = dayInZone(new Date(), TZ);
  const daily: Parameters<typeof upsertRollups>[2]['daily'] = [];
  for (let back = 70; back >= 1; back--) {
    const day = addDays(today, -back);
    for (const [user, dept] of people) {
      if (r() < 0.2) continue;
      const spike = r() < 0.05 ? 8 : 1;
      const tokens = Math.floor((30_000 + r() * 90_000) * spike);
      const events = 5 + Math.floor(r() * 40);
      days.push({ user, dept, day, tokens, events });
      daily.push({
        bucket: day,
        user_id: user,
        department_id: dept,
        provider: 'openai',
        model: null,
        category: 'llm-api',
        source: 'agent',
        events,
        bytes_up: 0,
        bytes_down: 0,
        duration_ms: 0,
        est_input_tokens: tokens,
        est_output_tokens: 0,
        reported_input_tokens: 0,
        reported_output_tokens: 0,
      });
    }
  }
  // History as rollups only (no raw events), today as raw events through the pipeline.
  await ctx.db.withTenant(org.orgId, (tx) => upsertRollups(tx, org.orgId, { hourly: [], daily }));
  const now = Date.now();
  const sinceMidnight = now - startOfLocalDay(today, TZ).getTime();
  const entries = people.map(([userId], i) => ({
    userId,
    tokens: 20_000 + i * 5_000,
    at: new Date(now - Math.floor(sinceMidnight * 0.5)),
  }));
  await ingestTokens(ctx, org.orgId, entries);
  for (const [i, [user, dept]] of people.entries())
    days.push({ user, dept, day: today, tokens: 20_000 + i * 5_000, events: 1 });
}, 60_000);
afterAll(async () => {
  await app.close();
  await handle.drop();
});

const ancestors = (dept: string): string[] => {
  const parent: Record<string, string | null> = {
    [org.departments.engineering]: null,
    [org.departments.backend]: org.departments.engineering,
    [org.departments.platform]: org.departments.backend,
    [org.departments.sales]: null,
  };
  const out: string[] = [];
  for (let d: string | null | undefined = dept; d; d = parent[d]) out.push(d);
  return out;
};

async function testPolicy(content: Record<string, unknown>) {
  const created = await app.inject({
    method: 'POST',
    url: '/v1/policies',
    headers: bearer(key),
    payload: { name: 'replay', actions: [{ type: 'create_incident' }], ...content },
  });
  expect(created.statusCode, created.body).toBe(201);
  const res = await app.inject({
    method: 'POST',
    url: `/v1/policies/${created.json().id}/test`,
    headers: bearer(key),
    payload: { window_days: 30, examples: 100 },
  });
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json();
  // The window starts at the org-local midnight 30 days back, so whole days are replayed.
  const firstDay = dayInZone(Date.parse(body.window.to) - 30 * DAY, TZ);
  expect(body.window.from).toBe(startOfLocalDay(firstDay, TZ).toISOString());
  return { body, firstDay };
}

const names = () => ({
  [org.departments.engineering]: 'Engineering',
  [org.departments.backend]: 'Backend',
  [org.departments.platform]: 'Platform',
  [org.departments.sales]: 'Sales',
});

describe('policy test over history kept as daily rollups', () => {
  it.each([
    ['month', 2_500_000],
    ['day', 150_000],
  ] as const)(
    'a department threshold per %s fires as often as a brute-force recount',
    async (period, limit) => {
      const { body, firstDay } = await testPolicy({
        trigger: { type: 'department_threshold', params: { limit_tokens: limit, period } },
      });
      // Brute force: a department fires for a period when its subtree total was below the limit
      // before the window and reaches it by the end of it.
      const periodOf = (day: string) => (period === 'day' ? day : day.slice(0, 7));
      const expected = new Map<string, number>();
      for (const dept of Object.keys(names())) {
        for (const p of new Set(days.filter((d) => d.day >= firstDay).map((d) => periodOf(d.day)))) {
          const mine = days.filter((d) => periodOf(d.day) === p && ancestors(d.dept).includes(dept));
          const before = mine.filter((d) => d.day < firstDay).reduce((s, d) => s + d.tokens, 0);
          const after = mine.reduce((s, d) => s + d.tokens, 0);
          if (before < limit && after >= limit) expected.set(dept, (expected.get(dept) ?? 0) + 1);
        }
      }
      const total = [...expected.values()].reduce((s, n) => s + n, 0);
      expect(total).toBeGreaterThan(0);
      expect(body.method).toBe('rollups');
      expect(body.would_fire).toBe(total);
      expect(body.evaluated).toBe(days.filter((d) => d.day >= firstDay).reduce((s, d) => s + d.events, 0));
      expect(body.unreplayed_events).toBe(0);
      const label = names();
      expect(
        body.fired_by.departments.map((d: { name: string; firings: number }) => [d.name, d.firings]).sort(),
      ).toEqual([...expected].map(([id, n]) => [label[id], n]).sort());
    },
  );

  it('unusual usage per day within a department subtree matches a brute-force recount', async () => {
    const { body, firstDay } = await testPolicy({
      trigger: { type: 'unusual_usage', params: { min_zscore: 3, min_tokens: 1000 } },
      conditions: { all: [{ field: 'department_id', op: 'within', value: org.departments.backend }] },
    });
    const expected = new Map<string, number>();
    for (const d of days) {
      if (d.day < firstDay || !ancestors(d.dept).includes(org.departments.backend)) continue;
      const history = Array.from(
        { length: 28 },
        (_, i) => days.find((x) => x.user === d.user && x.day === addDays(d.day, -(i + 1)))?.tokens ?? 0,
      );
      if (d.tokens >= 1000 && robustZScore(d.tokens, history) >= 3)
        expected.set(d.user, (expected.get(d.user) ?? 0) + 1);
    }
    expect(body.method).toBe('rollups');
    expect(body.would_fire).toBe([...expected.values()].reduce((s, n) => s + n, 0));
    expect(body.would_fire).toBeGreaterThan(0);
    expect(body.fired_by.users.map((u: { id: string; firings: number }) => [u.id, u.firings]).sort()).toEqual(
      [...expected].sort(),
    );
    expect(body.fired_by.users.map((u: { name: string }) => u.name)).not.toContain(undefined);
  });

  it('a condition on a per-event field replays raw events and says how many it could not see', async () => {
    const { body, firstDay } = await testPolicy({
      trigger: { type: 'department_threshold', params: { limit_tokens: 10_000, period: 'day' } },
      conditions: { all: [{ field: 'provider', op: 'eq', value: 'openai' }] },
    });
    const inWindow = days.filter((d) => d.day >= firstDay).reduce((s, d) => s + d.events, 0);
    expect(body.method).toBe('events');
    expect(body.evaluated).toBe(4);
    expect(body.unreplayed_events).toBe(inWindow - 4);
    expect(body.matched).toBeGreaterThan(0);
  });
});
