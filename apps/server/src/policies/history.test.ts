import { evaluateConditions, type PolicySubject, robustZScore, startOfLocalDay } from '@toktra/core';
import type { TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestTokens } from '../budgets/testing.js';
import type { AppContext } from '../context.js';
import { createTestContext, type SeededOrg, seedOrg } from '../usage/testing.js';
import { addDays, dayInZone } from '../usage/time-zone.js';
import { testPolicyAgainstHistory } from './history.js';
import { type PolicyContent, policyContentSchema } from './schema.js';
import { createPolicy } from './service.js';
import { hourInZone, hourKey } from './usage-stream.js';

const ADMIN = { type: 'cli', id: null } as const;
const DAY = 86_400_000;
const TZ = 'America/New_York';

let ctx: AppContext;
let handle: TestDatabase;
let org: SeededOrg;
const now = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);

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
  org = await seedOrg(ctx, 'history', TZ);
  const r = rng(42);
  const users = Object.values(org.users);
  const entries: Array<{ userId: string; tokens: number; at: Date; model: string }> = [];
  for (let day = 70; day >= 0; day--) {
    for (const userId of users) {
      const n = Math.floor(r() * 4);
      for (let i = 0; i < n; i++) {
        const spike = r() < 0.04 ? 20 + Math.floor(r() * 30) : 1;
        const at = new Date(now.getTime() - day * DAY - Math.floor(r() * DAY));
        if (at >= now) continue;
        entries.push({
          userId,
          tokens: Math.floor((200 + r() * 600) * spike),
          at,
          model: r() < 0.5 ? 'gpt-4o' : 'o3',
        });
      }
    }
  }
  for (let i = 0; i < entries.length; i += 200) await ingestTokens(ctx, org.orgId, entries.slice(i, i + 200));
}, 120_000);
afterAll(() => handle.drop());

interface E {
  id: string;
  t: number;
  user: string;
  dept: string;
  tokens: number;
  model: string | null;
}

async function allEvents(): Promise<E[]> {
  const rows = await ctx.db.withTenant(org.orgId, ({ db }) =>
    db
      .selectFrom('events')
      .select([
        'id',
        'occurred_at',
        'user_id',
        'department_id',
        'est_input_tokens',
        'est_output_tokens',
        'model',
      ])
      .execute(),
  );
  return rows
    .map((r) => ({
      id: r.id,
      t: r.occurred_at.getTime(),
      user: r.user_id as string,
      dept: r.department_id as string,
      tokens: r.est_input_tokens + r.est_output_tokens,
      model: r.model,
    }))
    .sort((a, b) => a.t - b.t || (a.id < b.id ? -1 : 1));
}

async function parents(): Promise<Map<string, string | null>> {
  const rows = await ctx.db.withTenant(org.orgId, ({ db }) =>
    db.selectFrom('departments').select(['id', 'parent_id']).execute(),
  );
  return new Map(rows.map((r) => [r.id, r.parent_id]));
}

function ancestors(dept: string, p: Map<string, string | null>): string[] {
  const out: string[] = [];
  for (let d: string | null | undefined = dept; d; d = p.get(d)) out.push(d);
  return out;
}

const before = (a: E, b: E) => a.t < b.t || (a.t === b.t && a.id < b.id);

/** The brute force: every figure recomputed from scratch for every event, no running state. */
async function recount(content: PolicyContent): Promise<{ matched: number; would_fire: number }> {
  const events = await allEvents();
  const p = await parents();
  // The window starts at the org-local midnight 30 days back.
  const from = startOfLocalDay(dayInZone(now.getTime() - 30 * DAY, TZ), TZ).getTime();
  const keys = new Set<string>();
  let matched = 0;
  for (const e of events) {
    if (e.t < from || e.t >= now.getTime()) continue;
    const day = dayInZone(e.t, TZ);
    const base: PolicySubject = {
      hour_of_day: hourInZone(new Date(e.t), TZ),
      provider: 'openai',
      user_id: e.user,
      ...(e.model ? { model: e.model } : {}),
    };
    const hits: string[] = [];
    const trigger = content.trigger;
    if (trigger.type === 'unusual_usage') {
      const hourly = trigger.params.granularity === 'hour';
      const bucketOf = (x: E) => (hourly ? hourKey(new Date(x.t)) : dayInZone(x.t, TZ));
      const key = bucketOf(e);
      const total = events
        .filter((x) => x.user === e.user && bucketOf(x) === key && !before(e, x))
        .reduce((s, x) => s + x.tokens, 0);
      // Earlier buckets are complete before e: their full sums (of every stored event) are the baseline.
      const sums = new Map<string, number>();
      for (const x of events)
        if (x.user === e.user) sums.set(bucketOf(x), (sums.get(bucketOf(x)) ?? 0) + x.tokens);
      const history: number[] = [];
      const n = hourly ? 28 * 24 : 28;
      for (let i = 1; i <= n; i++) {
        const k = hourly ? new Date(new Date(key).getTime() - i * 3_600_000).toISOString() : addDays(day, -i);
        history.push(sums.get(k) ?? 0);
      }
      const zscore = robustZScore(total, history);
      const subject = {
        ...base,
        tokens: total,
        zscore,
        department_id: e.dept,
        department_path: ancestors(e.dept, p),
      };
      if (
        total >= trigger.params.min_tokens &&
        zscore >= trigger.params.min_zscore &&
        evaluateConditions(content.conditions, subject)
      ) {
        hits.push(`unusual:${e.user}:${key}`);
      }
    }
    if (trigger.type === 'department_threshold') {
      const periodOf = (x: E) =>
        trigger.params.period === 'day' ? dayInZone(x.t, TZ) : dayInZone(x.t, TZ).slice(0, 7);
      const period = periodOf(e);
      for (const a of ancestors(e.dept, p)) {
        const prior = events
          .filter((x) => before(x, e) && periodOf(x) === period && ancestors(x.dept, p).includes(a))
          .reduce((s, x) => s + x.tokens, 0);
        const subject = {
          ...base,
          tokens: prior + e.tokens,
          department_id: a,
          department_path: ancestors(a, p),
        };
        if (
          prior < trigger.params.limit_tokens &&
          prior + e.tokens >= trigger.params.limit_tokens &&
          evaluateConditions(content.conditions, subject)
        ) {
          hits.push(`department:${a}:${period}`);
        }
      }
    }
    if (hits.length) matched++;
    for (const h of hits) keys.add(h);
  }
  return { matched, would_fire: keys.size };
}

describe('test against history', () => {
  const cases: Array<[string, () => Record<string, unknown>]> = [
    [
      'unusual usage per day, OR of department subtree and tokens',
      () => ({
        trigger: { type: 'unusual_usage', params: { min_zscore: 3, min_tokens: 500 } },
        conditions: {
          any: [
            { field: 'department_id', op: 'within', value: org.departments.backend },
            { field: 'tokens', op: 'gt', value: 15_000 },
          ],
        },
      }),
    ],
    [
      'unusual usage per hour on one model',
      () => ({
        trigger: { type: 'unusual_usage', params: { min_zscore: 5, granularity: 'hour' } },
        conditions: { all: [{ field: 'model', op: 'eq', value: 'gpt-4o' }] },
      }),
    ],
    [
      'department threshold per day in office hours (New York)',
      () => ({
        trigger: { type: 'department_threshold', params: { limit_tokens: 2500, period: 'day' } },
        conditions: {
          all: [
            { field: 'hour_of_day', op: 'between', value: [8, 20] },
            { any: [{ field: 'user_id', op: 'neq', value: org.users.dave }] },
          ],
        },
      }),
    ],
    [
      'department threshold per month',
      () => ({
        trigger: { type: 'department_threshold', params: { limit_tokens: 40_000, period: 'month' } },
        conditions: null,
      }),
    ],
  ];

  it.each(cases)('%s: counts match a brute-force recount', async (_name, make) => {
    const content = policyContentSchema.parse({
      name: 'history',
      actions: [{ type: 'create_incident' }],
      ...make(),
    }) as PolicyContent;
    const policy = await createPolicy(ctx.db, org.orgId, ADMIN, content);
    const result = await testPolicyAgainstHistory(ctx.db, org.orgId, policy.id, {
      windowDays: 30,
      examples: 3,
      now,
    });
    const expected = await recount(content);
    // Replayed from rollups, only firings are known (not which events matched).
    expect({ matched: result.matched ?? expected.matched, would_fire: result.would_fire }).toEqual(expected);
    expect(result.method).toBe(content.conditions ? 'events' : 'rollups');
    expect(result.unreplayed_events).toBe(0);
    expect(result.evaluated).toBeGreaterThan(100);
    expect(result.examples.length).toBe(Math.min(3, expected.would_fire));
    // The test itself fires nothing.
    const fired = await ctx.db.withTenant(org.orgId, ({ db }) =>
      db.selectFrom('policy_firings').select('id').execute(),
    );
    expect(fired).toEqual([]);
  });

  it('has at least one case that fires, so the comparison is not vacuous', async () => {
    const content = policyContentSchema.parse({
      name: 'h',
      actions: [{ type: 'create_incident' }],
      ...cases[3]?.[1](),
    }) as PolicyContent;
    expect((await recount(content)).would_fire).toBeGreaterThan(0);
    const unusual = policyContentSchema.parse({
      name: 'h',
      actions: [{ type: 'create_incident' }],
      ...cases[0]?.[1](),
    }) as PolicyContent;
    expect((await recount(unusual)).would_fire).toBeGreaterThan(0);
  });
});
