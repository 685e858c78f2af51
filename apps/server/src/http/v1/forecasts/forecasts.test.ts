import type { TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
let keyA: string;
let keyB: string;

const WEEKLY = [1.15, 1.2, 1.2, 1.15, 1.05, 0.6, 0.65];

/** Accelerating usage with a weekly pattern and ±3 % deterministic noise, 90 days to yesterday. */
function syntheticDay(t: number): number {
  const noise = 1 + 0.03 * Math.sin(t * 12.9898);
  return Math.round((10_000 + 2.5 * t * t) * (WEEKLY[t % 7] ?? 1) * noise);
}

async function seedSeries(org: SeededOrg, days: number, user: string) {
  const yesterday = addDays(dayInZone(Date.now(), 'UTC'), -1);
  const events = Array.from({ length: days }, (_, t) => {
    const value = syntheticDay(t);
    const input = Math.round(value * 0.8);
    return {
      id: crypto.randomUUID(),
      occurred_at: `${addDays(yesterday, t - (days - 1))}T12:00:00Z`,
      user_id: user,
      provider: 'openai',
      input_tokens: input,
      output_tokens: value - input,
    };
  });
  const result = await ingestBatch(ctx, org.orgId, { type: 'api', keyId: crypto.randomUUID() }, events);
  expect(result.accepted).toBe(days);
}

beforeAll(async () => {
  ({ ctx, handle } = await createTestContext());
  a = await seedOrg(ctx, 'forecast-a');
  b = await seedOrg(ctx, 'forecast-b');
  keyA = await createKey(ctx, a.orgId, ['read']);
  keyB = await createKey(ctx, b.orgId, ['read']);
  await seedSeries(a, 90, a.users.alice);
  await seedSeries(b, 10, b.users.alice);
  app = await buildHttpApp(ctx);
});
afterAll(async () => {
  await app.close();
  await handle.drop();
});

async function forecast(query: string, key = keyA) {
  const response = await app.inject({ method: 'GET', url: `/v1/forecasts?${query}`, headers: bearer(key) });
  return { status: response.statusCode, body: response.json() };
}

describe('GET /v1/forecasts', () => {
  it('forecasts 30 days of an accelerating series, beating the seasonal naive baseline in backtest', async () => {
    const { status, body } = await forecast('horizon=30');
    expect(status).toBe(200);
    expect(body.history).toHaveLength(90);
    expect(body.history.map((d: { tokens: number }) => d.tokens)).toEqual(
      Array.from({ length: 90 }, (_, t) => syntheticDay(t)),
    );
    expect(body.history.every((d: { source: string }) => d.source === 'estimated')).toBe(true);
    expect(body.forecast.points).toHaveLength(30);
    expect(body.forecast.points[0].date).toBe(addDays(body.history_end, 1));
    expect(body.forecast.trend).toBe('Accelerating');
    expect(body.forecast.backtest.holdout_days).toBe(28);
    expect(body.forecast.backtest.mape).toBeLessThan(body.forecast.backtest.naive_mape);
    // Growth continues: the next 30 days exceed the last 30.
    const last30 = body.history.slice(-30).reduce((s: number, d: { tokens: number }) => s + d.tokens, 0);
    expect(body.forecast.total).toBeGreaterThan(last30);
  });

  it('forecasts 90 days with intervals that widen, for a department subtree too', async () => {
    const org = await forecast('horizon=90');
    const dept = await forecast(`horizon=90&scope=department&department_id=${a.departments.engineering}`);
    expect(dept.status).toBe(200);
    expect(dept.body.scope).toBe('department');
    expect(dept.body.forecast.points).toHaveLength(90);
    // Alice (Backend) is all of the usage, and Backend sits under Engineering.
    expect(dept.body.forecast.total).toBeCloseTo(org.body.forecast.total, 6);
    const p = dept.body.forecast.points;
    expect(p[89].upper_95 - p[89].lower_95).toBeGreaterThan(p[0].upper_95 - p[0].lower_95);
    const sales = await forecast(`scope=department&department_id=${a.departments.sales}`);
    expect(sales.body).toMatchObject({ forecast: null, reason: expect.stringMatching(/21 days/) });
  });

  it('explains when there is too little history', async () => {
    const { status, body } = await forecast('horizon=30', keyB);
    expect(status).toBe(200);
    expect(body.forecast).toBeNull();
    expect(body.reason).toMatch(/at least 21 days/);
  });

  it('rejects bad parameters with clear 400s', async () => {
    for (const [query, message] of [
      ['horizon=45', /horizon/],
      ['scope=team', /scope/],
      ['scope=department', /needs department_id/],
      [`department_id=${a.departments.sales}`, /needs scope=department/],
      ['foo=1', /foo/],
    ] as const) {
      const { status, body } = await forecast(query);
      expect(status).toBe(400);
      expect(body.error.message).toMatch(message);
    }
  });

  it("answers 404 for another org's department", async () => {
    const { status, body } = await forecast(`scope=department&department_id=${a.departments.backend}`, keyB);
    expect(status).toBe(404);
    expect(body.error.code).toBe('not_found');
  });
});

describe('reconciled where present', () => {
  it('uses the provider-reconciled count per provider and day, the estimate elsewhere', async () => {
    const c = await seedOrg(ctx, 'forecast-c');
    const keyC = await createKey(ctx, c.orgId, ['read']);
    const today = dayInZone(Date.now(), 'UTC');
    // 40 days: openai estimated at 1 000 tokens a day, anthropic at 500.
    const events = Array.from({ length: 40 }, (_, i) => addDays(today, -40 + i)).flatMap((day) =>
      (['openai', 'anthropic'] as const).map((provider) => ({
        id: crypto.randomUUID(),
        occurred_at: `${day}T12:00:00Z`,
        user_id: c.users.alice,
        provider,
        input_tokens: provider === 'openai' ? 800 : 400,
        output_tokens: provider === 'openai' ? 200 : 100,
      })),
    );
    await ingestBatch(ctx, c.orgId, { type: 'api', keyId: crypto.randomUUID() }, events);
    // OpenAI is connected and backfilled (covers the last 30 UTC days) and reports 2 000 a day.
    const connectionId = crypto.randomUUID();
    await ctx.db.system(async ({ db }) => {
      await db
        .insertInto('provider_connections')
        .values({
          id: connectionId,
          org_id: c.orgId,
          provider: 'openai',
          name: 'OpenAI',
          credentials_enc: 'x',
          credentials_hint: 'x',
          backfilled_at: new Date(),
        } as never)
        .execute();
      for (let i = 1; i <= 35; i++) {
        await db
          .insertInto('reconciled_usage')
          .values({
            org_id: c.orgId,
            connection_id: connectionId,
            provider: 'openai',
            bucket_start: new Date(`${addDays(today, -i)}T00:00:00Z`),
            bucket_width: '1d',
            model: null,
            project_id: null,
            workspace_id: null,
            api_key_id: null,
            input_tokens: 1500,
            cached_input_tokens: 0,
            cache_write_tokens: 0,
            output_tokens: 500,
            requests: 10,
          })
          .execute();
      }
    });
    const { body } = await forecast('horizon=30', keyC);
    const byDate = new Map(body.history.map((d: { date: string }) => [d.date, d]));
    // Covered by reconciliation: 2 000 (OpenAI, reconciled) + 500 (Anthropic, estimated).
    expect(byDate.get(addDays(today, -1))).toMatchObject({ tokens: 2500, source: 'mixed' });
    expect(byDate.get(addDays(today, -30))).toMatchObject({ tokens: 2500, source: 'mixed' });
    // Before the backfill window: estimates for both.
    expect(byDate.get(addDays(today, -35))).toMatchObject({ tokens: 1500, source: 'estimated' });
    expect(body.forecast).not.toBeNull();
    // The department view cannot be reconciled (providers do not know departments): estimates.
    const dept = await forecast(`scope=department&department_id=${c.departments.engineering}`, keyC);
    expect(dept.body.history.at(-1)).toMatchObject({ tokens: 1500, source: 'estimated' });
  });
});
