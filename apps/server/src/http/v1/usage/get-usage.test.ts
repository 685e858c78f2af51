import type { TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPriceLookup } from '../../../budgets/default-prices.js';
import type { AppContext } from '../../../context.js';
import { ingestBatch } from '../../../usage/ingest.js';
import { bearer, createKey, createTestContext, type SeededOrg, seedOrg } from '../../../usage/testing.js';
import { addDays, dayInZone } from '../../../usage/time-zone.js';
import { buildHttpApp, type HttpApp } from '../../app.js';

let ctx: AppContext;
let handle: TestDatabase;
let app: HttpApp;
let a: SeededOrg;
let b: SeededOrg;
let readKey: string;
let ingestOnlyKey: string;
let bKey: string;
// Day 0 of the data set, ten days ago in the org's zone (so it stays inside the default range).
let d0: string;

const ZONE = 'America/New_York';

/**
 * The hand-checked data set (org zone America/New_York, UTC−4/−5):
 *   alice (Backend)     openai     model null        400 in / 40 out   d0 15:00Z → local d0
 *   bob   (Platform)    anthropic  claude-sonnet-4  1000 / 100        d1 03:00Z → local d0 (evening)
 *   dave  (Sales)       openai     gpt-4o            500 / 50         d1 06:00Z → local d1 (night)
 *   carol (Engineering) openai     gpt-4o            200 / 20         d2 12:00Z → local d2
 * Department tree: Engineering ⊃ Backend ⊃ Platform; Sales.
 */
async function seedUsage() {
  const d1 = addDays(d0, 1);
  const d2 = addDays(d0, 2);
  const ev = (
    user: string,
    at: string,
    provider: string,
    model: string | undefined,
    input: number,
    output: number,
  ) => ({
    id: crypto.randomUUID(),
    occurred_at: at,
    user_id: user,
    provider,
    ...(model ? { model } : {}),
    input_tokens: input,
    output_tokens: output,
    bytes_up: 1000,
    bytes_down: 2000,
  });
  const result = await ingestBatch(ctx, a.orgId, { type: 'api', keyId: crypto.randomUUID() }, [
    ev(a.users.alice, `${d0}T15:00:00Z`, 'openai', undefined, 400, 40),
    ev(a.users.bob, `${d1}T03:00:00Z`, 'anthropic', 'claude-sonnet-4', 1000, 100),
    ev(a.users.dave, `${d1}T06:00:00Z`, 'openai', 'gpt-4o', 500, 50),
    ev(a.users.carol, `${d2}T12:00:00Z`, 'openai', 'gpt-4o', 200, 20),
  ]);
  expect(result.accepted).toBe(4);
  // Org B has usage too; none of it may show up in A's answers.
  await ingestBatch(ctx, b.orgId, { type: 'api', keyId: crypto.randomUUID() }, [
    ev(b.users.alice, `${d0}T15:00:00Z`, 'openai', 'gpt-4o', 99_999, 9),
  ]);
}

beforeAll(async () => {
  ({ ctx, handle } = await createTestContext());
  a = await seedOrg(ctx, 'usage-a', ZONE);
  b = await seedOrg(ctx, 'usage-b');
  readKey = await createKey(ctx, a.orgId, ['read']);
  ingestOnlyKey = await createKey(ctx, a.orgId, ['ingest']);
  bKey = await createKey(ctx, b.orgId, ['read']);
  d0 = addDays(dayInZone(Date.now(), ZONE), -10);
  await seedUsage();
  app = await buildHttpApp(ctx);
});
afterAll(async () => {
  await app.close();
  await handle.drop();
});

async function usage(query: Record<string, string>, key = readKey) {
  const response = await app.inject({ method: 'GET', url: '/v1/usage', query, headers: bearer(key) });
  return { status: response.statusCode, body: response.json() };
}

const range = () => ({ start_date: d0, end_date: addDays(d0, 2) });
const tokens = (row: { est_input_tokens: number; est_output_tokens: number }) => [
  row.est_input_tokens,
  row.est_output_tokens,
];

/** Each event priced by hand from the built-in list (USD per 1M tokens). */
const price = createPriceLookup([]);
const cost = (provider: string, model: string | null, input: number, output: number) => {
  const p = price(provider, model);
  return (input * p.input_per_mtok + output * p.output_per_mtok) / 1e6;
};
const costs = {
  alice: cost('openai', null, 400, 40),
  bob: cost('anthropic', 'claude-sonnet-4', 1000, 100),
  dave: cost('openai', 'gpt-4o', 500, 50),
  carol: cost('openai', 'gpt-4o', 200, 20),
};

describe('GET /v1/usage', () => {
  it('prices every row by provider and model, not by the provider alone (issue 19)', async () => {
    const { body } = await usage({ ...range(), group_by: 'provider' });
    const openai = body.data.find((r: { provider: string }) => r.provider === 'openai');
    expect(openai.est_cost).toBeCloseTo(costs.alice + costs.dave + costs.carol, 6);
    const byUser = await usage({ ...range(), group_by: 'user' });
    const dave = byUser.body.data.find((r: { user_id: string }) => r.user_id === a.users.dave);
    expect(dave.est_cost).toBeCloseTo(costs.dave, 6);
    // The Overview tile shows the same money as the usage totals of its 30 days.
    const overview = await app.inject({ method: 'GET', url: '/v1/overview', headers: bearer(readKey) });
    expect(overview.statusCode).toBe(200);
    expect(overview.json().est_cost).toBe((await usage({})).body.totals.est_cost);
    expect(overview.json().est_cost).toBeGreaterThan(0);
    const byDay = await usage({ ...range(), group_by: 'day' });
    expect(byDay.body.data.reduce((s: number, r: { est_cost: number }) => s + r.est_cost, 0)).toBeCloseTo(
      byDay.body.totals.est_cost,
      6,
    );
  });

  it('totals the range, with reconciled figures null until reconciliation exists', async () => {
    const { status, body } = await usage(range());
    expect(status).toBe(200);
    expect(body.totals).toEqual({
      events: 4,
      bytes_up: 4000,
      bytes_down: 8000,
      est_input_tokens: 2100,
      est_output_tokens: 210,
      reconciled_input_tokens: null,
      reconciled_output_tokens: null,
      est_cost: Math.round((costs.alice + costs.bob + costs.dave + costs.carol) * 1e6) / 1e6,
    });
    expect(body).toMatchObject({ time_zone: ZONE, group_by: null, currency: 'USD', data: [] });
  });

  it('defaults to the last 30 days in the org zone', async () => {
    const { body } = await usage({});
    const today = dayInZone(Date.now(), ZONE);
    expect(body.end_date).toBe(today);
    expect(body.start_date).toBe(addDays(today, -29));
    expect(body.totals.events).toBe(4);
  });

  it('groups by day in the org time zone, not UTC', async () => {
    const { body } = await usage({ ...range(), group_by: 'day' });
    expect(
      body.data.map((r: { date: string; events: number }) => [r.date, r.events, ...tokens(r as never)]),
    ).toEqual([
      [d0, 2, 1400, 140],
      [addDays(d0, 1), 1, 500, 50],
      [addDays(d0, 2), 1, 200, 20],
    ]);
    const oneDay = await usage({ start_date: addDays(d0, 1), end_date: addDays(d0, 1) });
    expect(tokens(oneDay.body.totals)).toEqual([500, 50]);
  });

  it('groups by user, department, provider and model', async () => {
    const byUser = (await usage({ ...range(), group_by: 'user' })).body.data;
    expect(byUser.map((r: { user_id: string; user_email: string }) => [r.user_id, r.user_email])).toEqual([
      [a.users.bob, 'bob@usage-a.test'],
      [a.users.dave, 'dave@usage-a.test'],
      [a.users.alice, 'alice@usage-a.test'],
      [a.users.carol, 'carol@usage-a.test'],
    ]);
    const byDept = (await usage({ ...range(), group_by: 'department' })).body.data;
    expect(
      byDept.map((r: { department_name: string; est_input_tokens: number }) => [
        r.department_name,
        r.est_input_tokens,
      ]),
    ).toEqual([
      ['Platform', 1000],
      ['Sales', 500],
      ['Backend', 400],
      ['Engineering', 200],
    ]);
    const byProvider = (await usage({ ...range(), group_by: 'provider' })).body.data;
    expect(byProvider.map((r: { provider: string }) => [r.provider, ...tokens(r as never)])).toEqual([
      ['openai', 1100, 110],
      ['anthropic', 1000, 100],
    ]);
    const byModel = (await usage({ ...range(), group_by: 'model' })).body.data;
    expect(byModel.map((r: { model: string | null }) => [r.model, ...tokens(r as never)])).toEqual([
      ['claude-sonnet-4', 1000, 100],
      ['gpt-4o', 700, 70],
      [null, 400, 40],
    ]);
    for (const row of [...byUser, ...byDept, ...byProvider, ...byModel]) {
      expect(row).toMatchObject({ reconciled_input_tokens: null, reconciled_output_tokens: null });
    }
  });

  it('filters by user, department subtree, provider and model', async () => {
    const input = async (q: Record<string, string>) =>
      (await usage({ ...range(), ...q })).body.totals.est_input_tokens;
    expect(await input({ user_id: a.users.bob })).toBe(1000);
    expect(await input({ department_id: a.departments.engineering })).toBe(1600); // alice + bob + carol
    expect(await input({ department_id: a.departments.backend })).toBe(1400); // alice + bob (Platform)
    expect(await input({ department_id: a.departments.platform })).toBe(1000);
    expect(await input({ department_id: a.departments.sales })).toBe(500);
    expect(await input({ provider: 'openai' })).toBe(1100);
    expect(await input({ model: 'gpt-4o' })).toBe(700);
    expect(await input({ provider: 'openai', department_id: a.departments.engineering })).toBe(600);
    expect(await input({ provider: 'nobody' })).toBe(0);
  });

  it.each([
    [{ start_date: '2026-13-01' }],
    [{ start_date: '2026-02-30' }],
    [{ end_date: 'yesterday' }],
    [{ group_by: 'week' }],
    [{ start_date: '2026-05-02', end_date: '2026-05-01' }],
    [{ start_date: '2025-01-01', end_date: '2026-06-01' }],
  ])('refuses bad parameters %j with 400 validation_failed', async (query) => {
    const { status, body } = await usage(query as Record<string, string>);
    expect(status).toBe(400);
    expect(body.error.code).toBe('validation_failed');
  });

  it("answers 404 for another org's user or department, and never shows its usage", async () => {
    for (const query of <Array<Record<string, string>>>[
      { user_id: b.users.alice },
      { department_id: b.departments.engineering },
      { user_id: 'not-a-uuid' },
    ]) {
      const { status, body } = await usage(query);
      expect(status).toBe(404);
      expect(body.error.code).toBe('not_found');
    }
    const fromB = await usage(range(), bKey);
    expect(fromB.body.totals.events).toBe(1);
    expect(fromB.body.totals.est_input_tokens).toBe(99_999);
  });

  it('needs an API key with the read scope', async () => {
    const none = await app.inject({ method: 'GET', url: '/v1/usage' });
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe('unauthorized');
    const wrong = await usage({}, ingestOnlyKey);
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('forbidden');
  });
});
