import type { TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../../context.js';
import { refreshEfficiencyScores } from '../../../efficiency/job.js';
import { getUserTier } from '../../../efficiency/tiers.js';
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
let adminKey: string;
let bAdminKey: string;

const at = (day: string, seconds: number) =>
  new Date(Date.parse(`${day}T08:00:00Z`) + seconds * 1000).toISOString();

function call(user: string, when: string, input: number, output: number, model?: string) {
  return {
    id: crypto.randomUUID(),
    occurred_at: when,
    user_id: user,
    provider: 'openai',
    ...(model ? { model } : {}),
    input_tokens: input,
    output_tokens: output,
  };
}

/**
 * The hand-checked fixture (all in the 30 days ending today, UTC):
 *   alice: 10 calls an hour apart, 1000 in / 500 out, gpt-4o → every component 1 → 100 (premium).
 *          Previous window: 5 calls, 1000 / 250 → yield 0.5 → 0.4·0.5 + 0.6 = 80 → trend up.
 *   bob:   10 calls 5 s apart, 1000 / 100, claude-opus-4 (premium) → yield 0.2, model fit 0,
 *          bursts 9/10 → 0, no re-sends → 0.4·0.2 + 0.2·1 = 28 (standard).
 *   carol: 6 calls 2 min apart, inputs 1000,1000,2000,2000,4000,4000, output = input/4, no model
 *          → yield 0.5, 2 re-sends of 6 → 1 − 2·⅓ = 0.333, model fit unknown
 *          → (0.2 + 0.2 + 0.0667) / 0.8 = 58 (advanced).
 *   dave:  3 calls → no score (advanced by default).
 */
async function seed() {
  const today = dayInZone(Date.now(), 'UTC');
  const d = addDays(today, -2);
  const old = addDays(today, -40);
  const { alice, bob, carol, dave } = a.users;
  const events = [
    ...Array.from({ length: 10 }, (_, i) => call(alice, at(d, i * 3600), 1000, 500, 'gpt-4o')),
    ...Array.from({ length: 5 }, (_, i) => call(alice, at(old, i * 3600), 1000, 250, 'gpt-4o')),
    ...Array.from({ length: 10 }, (_, i) => call(bob, at(d, i * 5), 1000, 100, 'claude-opus-4')),
    ...[1000, 1000, 2000, 2000, 4000, 4000].map((input, i) => call(carol, at(d, i * 120), input, input / 4)),
    ...Array.from({ length: 3 }, (_, i) => call(dave, at(d, i * 3600), 1000, 500)),
  ];
  const result = await ingestBatch(ctx, a.orgId, { type: 'api', keyId: crypto.randomUUID() }, events);
  expect(result.accepted).toBe(events.length);
  await ingestBatch(ctx, b.orgId, { type: 'api', keyId: crypto.randomUUID() }, [
    ...Array.from({ length: 6 }, (_, i) => call(b.users.alice, at(d, i * 3600), 1000, 10)),
  ]);
}

beforeAll(async () => {
  ({ ctx, handle } = await createTestContext());
  a = await seedOrg(ctx, 'perf-a');
  b = await seedOrg(ctx, 'perf-b');
  readKey = await createKey(ctx, a.orgId, ['read']);
  adminKey = await createKey(ctx, a.orgId, ['admin']);
  bAdminKey = await createKey(ctx, b.orgId, ['admin']);
  await seed();
  app = await buildHttpApp(ctx);
});
afterAll(async () => {
  await app.close();
  await handle.drop();
});

async function get(url: string, key = readKey) {
  const response = await app.inject({ method: 'GET', url, headers: bearer(key) });
  return { status: response.statusCode, body: response.json(), raw: response.body };
}

describe('GET /v1/performance/scores', () => {
  it('scores each person as hand-computed, with components, trend, coaching and tier', async () => {
    const { status, body } = await get('/v1/performance/scores');
    expect(status).toBe(200);
    const by = Object.fromEntries(body.users.map((u: { name: string }) => [u.name, u]));
    expect(by.alice).toMatchObject({
      score: 100,
      previous_score: 80,
      trend: 'up',
      tier: 'premium',
      tier_source: 'score',
      events: 10,
      coaching: [],
      components: { output_yield: 1, model_fit: 1, burst_discipline: 1, context_hygiene: 1 },
    });
    expect(by.bob).toMatchObject({
      score: 28,
      previous_score: null,
      trend: 'new',
      tier: 'standard',
      components: { output_yield: 0.2, model_fit: 0, burst_discipline: 0, context_hygiene: 1 },
    });
    expect(by.bob.coaching).toHaveLength(3);
    expect(by.carol).toMatchObject({
      score: 58,
      tier: 'advanced',
      components: { output_yield: 0.5, model_fit: null, burst_discipline: 1, context_hygiene: 0.333 },
    });
    expect(by.dave).toMatchObject({ score: null, tier: 'advanced', events: 3 });
  });

  it('filters to a department subtree', async () => {
    const { body } = await get(`/v1/performance/scores?department_id=${a.departments.backend}`);
    expect(body.users.map((u: { name: string }) => u.name)).toEqual(['alice', 'bob']);
  });

  it("answers 404 for another org's department", async () => {
    expect((await get(`/v1/performance/scores?department_id=${b.departments.backend}`)).status).toBe(404);
    expect((await get(`/v1/performance/leaderboard?department_id=${b.departments.backend}`)).status).toBe(
      404,
    );
  });
});

describe('GET /v1/performance/teams', () => {
  it('averages the scored members of each subtree', async () => {
    const { body } = await get('/v1/performance/teams');
    const by = Object.fromEntries(body.teams.map((t: { name: string }) => [t.name, t]));
    expect(by.Engineering).toMatchObject({ score: 62, members: 3, scored_members: 3 });
    expect(by.Backend).toMatchObject({ score: 64, members: 2 });
    expect(by.Platform).toMatchObject({ score: 28, members: 1 });
    expect(by.Sales).toMatchObject({ score: null, members: 1, scored_members: 0, trend: 'new' });
  });
});

describe('GET /v1/performance/leaderboard', () => {
  it('ranks by score within a department', async () => {
    const { body } = await get(`/v1/performance/leaderboard?department_id=${a.departments.engineering}`);
    expect(body.anonymized).toBe(false);
    expect(body.entries.map((e: { display_name: string; rank: number }) => [e.rank, e.display_name])).toEqual(
      [
        [1, 'alice'],
        [2, 'carol'],
        [3, 'bob'],
      ],
    );
  });

  it('anonymises with stable pseudonyms and never leaks names, emails or ids', async () => {
    const url = `/v1/performance/leaderboard?department_id=${a.departments.engineering}&anonymize=true`;
    const first = await get(url);
    const second = await get(url);
    expect(first.body.anonymized).toBe(true);
    expect(first.body.entries.map((e: { score: number }) => e.score)).toEqual([100, 58, 28]);
    for (const entry of first.body.entries) {
      expect(entry.user_id).toBeNull();
      expect(entry.display_name).toMatch(/^[A-Z][a-z]+-[0-9A-F]{4}$/);
    }
    expect(second.body.entries).toEqual(first.body.entries);
    for (const secret of ['alice', 'bob', 'carol', ...Object.values(a.users)]) {
      expect(first.raw).not.toContain(secret);
    }
    // The whole-org board shows the same pseudonym for the same person.
    const org = await get('/v1/performance/leaderboard?anonymize=true');
    expect(org.body.entries[0].display_name).toBe(first.body.entries[0].display_name);
  });
});

describe('model access tiers', () => {
  it('stores nightly scores that the preflight tier lookup uses', async () => {
    await refreshEfficiencyScores(ctx, a.orgId);
    expect(await getUserTier(ctx, a.orgId, a.users.alice)).toBe('premium');
    expect(await getUserTier(ctx, a.orgId, a.users.bob)).toBe('standard');
    expect(await getUserTier(ctx, a.orgId, a.users.dave)).toBe('advanced');
  });

  it('overrides a tier manually (audited) and clears the override', async () => {
    const put = (key: string, userId: string, body: Record<string, unknown>) =>
      app.inject({ method: 'PUT', url: `/v1/tiers/${userId}`, payload: body, headers: bearer(key) });
    expect((await put(readKey, a.users.bob, { tier: 'premium' })).statusCode).toBe(403);
    expect((await put(adminKey, a.users.bob, { tier: 'platinum' })).statusCode).toBe(400);
    expect((await put(adminKey, a.users.bob, { tier: 'premium', reason: 'pilot' })).statusCode).toBe(204);
    expect(await getUserTier(ctx, a.orgId, a.users.bob)).toBe('premium');
    const tiers = await get('/v1/tiers');
    expect(tiers.body.users.find((u: { name: string }) => u.name === 'bob')).toMatchObject({
      tier: 'premium',
      tier_source: 'override',
      score: 28,
    });
    expect(tiers.body.model_rules.length).toBeGreaterThan(5);
    const audit = await ctx.db.withTenant(a.orgId, (tx) =>
      tx.db.selectFrom('audit_log').selectAll().where('action', 'like', 'tier_override.%').execute(),
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ target_id: a.users.bob });
    const del = await app.inject({
      method: 'DELETE',
      url: `/v1/tiers/${a.users.bob}`,
      headers: bearer(adminKey),
    });
    expect(del.statusCode).toBe(204);
    expect(await getUserTier(ctx, a.orgId, a.users.bob)).toBe('standard');
  });

  it('the preflight denies a model above the tier and allows models within it', async () => {
    const check = async (userId: string, model?: string) => {
      const response = await app.inject({
        method: 'POST',
        url: '/v1/preflight',
        payload: { user_id: userId, provider: 'anthropic', ...(model ? { model } : {}) },
        headers: bearer(readKey),
      });
      expect(response.statusCode).toBe(200);
      return response.json();
    };
    // bob: standard (score 28); alice: premium (100); dave: unscored → advanced.
    expect(await check(a.users.bob, 'claude-opus-4')).toMatchObject({
      allow: false,
      code: 'blocked',
      reason: "model claude-opus-4 needs the premium tier; this user's tier is standard",
    });
    expect((await check(a.users.bob, 'gpt-4o')).allow).toBe(false);
    expect((await check(a.users.bob, 'gpt-4o-mini')).allow).toBe(true);
    expect((await check(a.users.bob)).allow).toBe(true);
    expect((await check(a.users.alice, 'claude-opus-4')).allow).toBe(true);
    expect((await check(a.users.dave, 'gpt-4o')).allow).toBe(true);
    expect((await check(a.users.dave, 'o3-pro')).allow).toBe(false);
  });

  it("answers 404 for another org's user, an unknown and a malformed id", async () => {
    const put = (userId: string) =>
      app.inject({
        method: 'PUT',
        url: `/v1/tiers/${userId}`,
        payload: { tier: 'premium' },
        headers: bearer(bAdminKey),
      });
    expect((await put(a.users.alice)).statusCode).toBe(404);
    expect((await put(crypto.randomUUID())).statusCode).toBe(404);
    expect((await put('nope')).statusCode).toBe(404);
    const del = await app.inject({
      method: 'DELETE',
      url: `/v1/tiers/${a.users.alice}`,
      headers: bearer(bAdminKey),
    });
    expect(del.statusCode).toBe(404);
    // B sees only its own people.
    const tiers = await get('/v1/tiers', bAdminKey);
    expect(tiers.body.users.map((u: { user_id: string }) => u.user_id)).not.toContain(a.users.alice);
  });
});
