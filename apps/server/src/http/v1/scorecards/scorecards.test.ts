import type { TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../../context.js';
import { JobRunner } from '../../../jobs/runner.js';
import { nightlyScorecardsJob } from '../../../scorecards/job.js';
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
let today: string;

function calls(user: string, day: string, n: number, input: number, output: number, model?: string) {
  return Array.from({ length: n }, (_, i) => ({
    id: crypto.randomUUID(),
    occurred_at: new Date(Date.parse(`${day}T06:00:00Z`) + i * 3_600_000).toISOString(),
    user_id: user,
    provider: 'openai',
    ...(model ? { model } : {}),
    input_tokens: input,
    output_tokens: output,
  }));
}

/**
 * Hand-checked fixture (D = today, UTC):
 *   alice (Backend, reports to carol): 5 calls on D−5, 160/40 tokens, gpt-4o → 1 000 tokens,
 *     score 0.4·0.5 + 0.6 = 80; 5 calls on D−40, 80/20, claude-sonnet-4 → 500 tokens, score 80.
 *   bob (Platform, reports to carol): 1 call on D−70, 2 000 tokens, gpt-4o.
 *   carol (Engineering): nothing.  dave (Sales): 1 call on D−1, 300 tokens, no model.
 */
beforeAll(async () => {
  ({ ctx, handle } = await createTestContext());
  a = await seedOrg(ctx, 'cards-a');
  b = await seedOrg(ctx, 'cards-b');
  keyA = await createKey(ctx, a.orgId, ['read']);
  keyB = await createKey(ctx, b.orgId, ['read']);
  today = dayInZone(Date.now(), 'UTC');
  const { alice, bob, dave } = a.users;
  const events = [
    ...calls(alice, addDays(today, -5), 5, 160, 40, 'gpt-4o'),
    ...calls(alice, addDays(today, -40), 5, 80, 20, 'claude-sonnet-4'),
    ...calls(bob, addDays(today, -70), 1, 1600, 400, 'gpt-4o'),
    ...calls(dave, addDays(today, -1), 1, 250, 50),
  ];
  expect(
    (await ingestBatch(ctx, a.orgId, { type: 'api', keyId: crypto.randomUUID() }, events)).accepted,
  ).toBe(12);
  await ingestBatch(
    ctx,
    b.orgId,
    { type: 'api', keyId: crypto.randomUUID() },
    calls(b.users.bob, today, 3, 9, 9),
  );
  app = await buildHttpApp(ctx);
});
afterAll(async () => {
  await app.close();
  await handle.drop();
});

async function cards(query: string, key = keyA) {
  const response = await app.inject({ method: 'GET', url: `/v1/scorecards?${query}`, headers: bearer(key) });
  return { status: response.statusCode, body: response.json() };
}

describe('nightly scorecards', () => {
  it('are computed by the nightly job once per org-local day', async () => {
    const runner = new JobRunner(ctx, [], [{ job: nightlyScorecardsJob, everyMs: 3_600_000, payload: {} }]);
    // The first pass enqueues the recurring slot (run_at = the database's now); the next runs it.
    await runner.runOnce();
    await runner.runOnce();
    const stored = await ctx.db.withTenant(a.orgId, (tx) =>
      tx.db.selectFrom('scorecards').select(['subject_type', 'day']).where('org_id', '=', a.orgId).execute(),
    );
    // 5 people (4 + the org admin), 1 team (carol's), 4 departments.
    expect(stored).toHaveLength(10);
    const day = await cards('subject_type=employee');
    expect(day.body.day).toBe(today);
  });

  it('department: adoption, token trend, weekly series, model diversity and efficiency trend', async () => {
    const { status, body } = await cards('subject_type=department');
    expect(status).toBe(200);
    const by: Record<string, { weekly_tokens: number[] }> = Object.fromEntries(
      body.scorecards.map((c: { name: string; metrics: unknown }) => [c.name, c.metrics]),
    );
    expect(by.Engineering).toMatchObject({
      eligible: 3,
      active_30d: 1,
      adoption_rate: 0.333,
      tokens_30d: 1000,
      tokens_prev_30d: 500,
      token_trend_pct: 100,
      tokens_90d: 3500,
      model_diversity: 2,
      models: ['claude-sonnet-4', 'gpt-4o'],
      provider_diversity: 1,
      efficiency: { current: 80, days_30_ago: 80, days_90_ago: null, trend_30d: 0, trend_90d: null },
    });
    expect(by.Engineering?.weekly_tokens).toHaveLength(13);
    expect(by.Engineering?.weekly_tokens.at(-1)).toBe(1000);
    expect(by.Engineering?.weekly_tokens.reduce((s: number, x: number) => s + x, 0)).toBe(3500);
    expect(by.Sales).toMatchObject({
      eligible: 1,
      active_30d: 1,
      adoption_rate: 1,
      tokens_30d: 300,
      token_trend_pct: null,
      model_diversity: 0,
    });
    expect(by.Platform).toMatchObject({ eligible: 1, active_30d: 0, adoption_rate: 0, tokens_90d: 2000 });
  });

  it('team = a manager and their direct reports; employee = one person', async () => {
    const team = await cards(`subject_type=team&subject_id=${a.users.carol}`);
    expect(team.body.scorecards).toHaveLength(1);
    expect(team.body.scorecards[0]).toMatchObject({
      name: "carol's team",
      metrics: { eligible: 3, active_30d: 1, tokens_90d: 3500 },
    });
    const alice = await cards(`subject_type=employee&subject_id=${a.users.alice}`);
    expect(alice.body.scorecards[0].metrics).toMatchObject({
      adoption_rate: 1,
      tokens_30d: 1000,
      tokens_prev_30d: 500,
      efficiency: { current: 80, trend_30d: 0 },
    });
  });

  it('rejects bad parameters and answers 404 across tenants', async () => {
    expect((await cards('subject_type=company')).status).toBe(400);
    expect((await cards('extra=1')).status).toBe(400);
    expect((await cards(`subject_type=department&subject_id=${a.departments.sales}`, keyB)).status).toBe(404);
    expect((await cards(`subject_type=employee&subject_id=${a.users.alice}`, keyB)).status).toBe(404);
    expect((await cards('subject_type=employee&subject_id=nope')).status).toBe(404);
    const other = await cards('subject_type=employee', keyB);
    expect(other.body.scorecards.map((c: { subject_id: string }) => c.subject_id)).not.toContain(
      a.users.alice,
    );
  });
});
