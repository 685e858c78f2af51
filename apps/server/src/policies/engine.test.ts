import type { TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestTokens } from '../budgets/testing.js';
import type { AppContext } from '../context.js';
import { closeEmailTransports } from '../delivery/email.js';
import { drainJobs, startSmtpSink, startWebhookReceiver } from '../delivery/testing.js';
import { createEndpoint } from '../delivery/webhooks.js';
import { emitEventNow } from '../events/outbox.js';
import type { AlertCreatedNotice } from '../governance/bus.js';
import { preflight } from '../preflight/service.js';
import { createTestContext, type SeededOrg, seedOrg } from '../usage/testing.js';
import { type PolicyEngine, startPolicyEngine } from './engine.js';
import { type PolicyContent, policyContentSchema } from './schema.js';
import { createPolicy, disablePolicy, publishPolicy, updatePolicy } from './service.js';

const ADMIN = { type: 'cli', id: null } as const;
const DAY = 86_400_000;

let ctx: AppContext;
let handle: TestDatabase;
let engine: PolicyEngine;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
const alertNotices: AlertCreatedNotice[] = [];

beforeAll(async () => {
  smtp = await startSmtpSink();
  receiver = await startWebhookReceiver();
  ({ ctx, handle } = await createTestContext({ allowPrivateUrls: true, smtpUrl: smtp.url }));
  engine = startPolicyEngine(ctx);
  ctx.events.on('alert.created', (e) => alertNotices.push({ orgId: e.orgId, alert: e.payload }));
});
afterAll(async () => {
  engine.stop();
  await engine.idle();
  await ctx.preflight.idle();
  closeEmailTransports();
  await smtp.close();
  await receiver.close();
  await handle.drop();
});

async function publish(orgId: string, content: Record<string, unknown>): Promise<string> {
  const policy = await createPolicy(
    ctx.db,
    orgId,
    ADMIN,
    policyContentSchema.parse(content) as PolicyContent,
  );
  await publishPolicy(ctx.db, orgId, ADMIN, policy.id);
  return policy.id;
}

async function endpointFor(orgId: string): Promise<string> {
  const endpoint = await createEndpoint(ctx, orgId, ADMIN, {
    url: receiver.url,
    event_types: ['policy.fired'],
  });
  receiver.setSecret(endpoint.secret);
  return endpoint.id;
}

async function settle(): Promise<void> {
  await engine.idle();
  await drainJobs(ctx);
}

async function firings(orgId: string, policyId: string) {
  return ctx.db.withTenant(orgId, ({ db }) =>
    db
      .selectFrom('policy_firings')
      .selectAll()
      .where('policy_id', '=', policyId)
      .orderBy('fired_at')
      .execute(),
  );
}

/** 28 days of ~1,000 tokens a day, ending yesterday at noon UTC. */
async function seedHistory(org: SeededOrg, userId: string): Promise<void> {
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate(), 12);
  await ingestTokens(
    ctx,
    org.orgId,
    Array.from({ length: 28 }, (_, i) => ({
      userId,
      tokens: 900 + ((i * 37) % 200),
      at: new Date(today - (i + 1) * DAY),
    })),
  );
  await settle();
}

describe('unusual usage → every action', () => {
  it('emails the user and the manager, posts a signed webhook, opens an incident, raises an alert and blocks', async () => {
    const org = await seedOrg(ctx, 'unusual');
    for (const u of [org.users.alice, org.users.bob, org.users.dave]) await seedHistory(org, u);
    const endpointId = await endpointFor(org.orgId);
    const policyId = await publish(org.orgId, {
      name: 'Usage spike on GPT-4o in Engineering',
      severity: 'high',
      trigger: { type: 'unusual_usage', params: { min_zscore: 3.5, granularity: 'day', min_tokens: 1000 } },
      conditions: {
        all: [
          { field: 'department_id', op: 'within', value: org.departments.engineering },
          {
            any: [
              { field: 'model', op: 'eq', value: 'gpt-4o' },
              { field: 'tokens', op: 'gt', value: 1_000_000 },
            ],
          },
        ],
      },
      actions: [
        { type: 'email_user' },
        { type: 'email_manager' },
        { type: 'create_incident', assignee_id: org.users.carol },
        { type: 'webhook', endpoint_id: endpointId },
        { type: 'block_user', duration_hours: 24 },
      ],
    });
    const mailsBefore = smtp.messages.length;
    const hooksBefore = receiver.received.length;
    // bob spikes on another model (OR branch false), dave spikes outside Engineering: no firing.
    await ingestTokens(ctx, org.orgId, [
      { userId: org.users.bob, tokens: 50_000, model: 'claude-sonnet-4' },
      { userId: org.users.dave, tokens: 50_000, model: 'gpt-4o' },
    ]);
    await settle();
    expect(await firings(org.orgId, policyId)).toHaveLength(0);
    // alice (Backend ⊂ Engineering) spikes on gpt-4o: fires.
    await ingestTokens(ctx, org.orgId, [{ userId: org.users.alice, tokens: 50_000, model: 'gpt-4o' }]);
    await settle();
    const fired = await firings(org.orgId, policyId);
    expect(fired).toHaveLength(1);
    expect(fired[0]?.subject).toMatchObject({ user_id: org.users.alice, model: 'gpt-4o' });

    const mails = smtp.messages.slice(mailsBefore);
    expect(mails.map((m) => m.to && !Array.isArray(m.to) && m.to.text).sort()).toEqual([
      'alice@unusual.test',
      'carol@unusual.test',
    ]);
    for (const m of mails) {
      expect(m.subject).toBe('[Toktra high] Usage spike on GPT-4o in Engineering');
      expect(m.text).toContain('robust z-score');
      expect(m.html).toContain('<table');
    }
    expect(mails.find((m) => m.text?.includes('Hello carol'))?.text).toContain('the AI usage of alice');

    const hooks = receiver.received.slice(hooksBefore);
    expect(hooks).toHaveLength(1);
    expect(hooks[0]?.error).toBeNull();
    expect(hooks[0]?.verified).toMatchObject({
      type: 'policy.fired',
      data: {
        policy: { id: policyId, severity: 'high' },
        trigger: 'unusual_usage',
        subject: { user_id: org.users.alice },
      },
    });

    const incidents = await ctx.db.withTenant(org.orgId, ({ db }) =>
      db.selectFrom('incidents').selectAll().execute(),
    );
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({
      assignee_id: org.users.carol,
      user_id: org.users.alice,
      policy_id: policyId,
      status: 'open',
    });
    expect(alertNotices.filter((n) => n.orgId === org.orgId).map((n) => n.alert.source)).toEqual(['policy']);
    const block = await ctx.db.withTenant(org.orgId, ({ db }) =>
      db.selectFrom('user_blocks').selectAll().executeTakeFirst(),
    );
    expect(block).toMatchObject({ user_id: org.users.alice, source: `policy:${policyId}` });
    expect(block?.until?.getTime()).toBeGreaterThan(Date.now() + 23 * 3_600_000);
    // The hard cap reaches preflight: alice is denied with the policy as the reason, bob is not.
    const denied = await preflight(ctx, org.orgId, { user_id: org.users.alice });
    expect(denied).toMatchObject({ allow: false });
    expect(denied.reason).toContain('Usage spike on GPT-4o in Engineering');
    expect((await preflight(ctx, org.orgId, { user_id: org.users.bob })).allow).toBe(true);

    // More usage the same day: the user-day already fired, nothing repeats.
    await ingestTokens(ctx, org.orgId, [{ userId: org.users.alice, tokens: 80_000, model: 'gpt-4o' }]);
    await settle();
    expect(await firings(org.orgId, policyId)).toHaveLength(1);
    expect(smtp.messages.length - mailsBefore).toBe(2);
  });
});

describe('department threshold, time of day in the org time zone', () => {
  it('fires once per department and period as the subtree crosses the limit, only in the night window', async () => {
    const org = await seedOrg(ctx, 'threshold', 'Asia/Tokyo');
    const endpointId = await endpointFor(org.orgId);
    const policyId = await publish(org.orgId, {
      name: 'Night-time department usage',
      trigger: { type: 'department_threshold', params: { limit_tokens: 10_000, period: 'day' } },
      // 22:00–06:00 Tokyo time, and never the Sales tree.
      conditions: {
        all: [
          { field: 'hour_of_day', op: 'between', value: [22, 6] },
          { field: 'department_id', op: 'not_in', value: [org.departments.sales] },
        ],
      },
      actions: [{ type: 'webhook', endpoint_id: endpointId }],
    });
    const base =
      Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()) - 2 * DAY;
    const at = (utcHour: number) => new Date(base + utcHour * 3_600_000);
    // The day before, 03:00 UTC = 12:00 Tokyo: Platform crosses 10k at noon → outside the window.
    await ingestTokens(ctx, org.orgId, [{ userId: org.users.bob, tokens: 12_000, at: at(3 - 24) }]);
    await settle();
    expect(await firings(org.orgId, policyId)).toHaveLength(0);
    // Next Tokyo day, 14:00 UTC = 23:00 Tokyo: bob 6k then alice 6k. Platform stays under 10k;
    // Backend (alice + Platform) and Engineering cross on alice's event.
    const hooksBefore = receiver.received.length;
    await ingestTokens(ctx, org.orgId, [{ userId: org.users.bob, tokens: 6_000, at: at(14) }]);
    await ingestTokens(ctx, org.orgId, [{ userId: org.users.alice, tokens: 6_000, at: at(14.5) }]);
    await settle();
    const fired = await firings(org.orgId, policyId);
    expect(fired.map((f) => f.dedupe_key).sort()).toEqual(
      [`department:${org.departments.backend}:`, `department:${org.departments.engineering}:`]
        .map((k) => `${k}${new Date(base).toISOString().slice(0, 10)}`)
        .sort(),
    );
    expect(receiver.received.length - hooksBefore).toBe(2);
    // Sales crossing at night is excluded by the condition.
    await ingestTokens(ctx, org.orgId, [{ userId: org.users.dave, tokens: 20_000, at: at(15) }]);
    await settle();
    expect(await firings(org.orgId, policyId)).toHaveLength(2);
  });
});

describe('governance notices as triggers', () => {
  it('budget_exceeded fires on a budget.threshold notice at or above its threshold, within its conditions', async () => {
    const org = await seedOrg(ctx, 'budgetpol');
    const policyId = await publish(org.orgId, {
      name: 'Engineering budget exhausted',
      severity: 'critical',
      trigger: { type: 'budget_exceeded', params: { min_threshold_pct: 100 } },
      conditions: { field: 'department_id', op: 'within', value: org.departments.engineering },
      actions: [{ type: 'create_incident' }],
    });
    const notice = (departmentId: string, thresholdPct: number) => ({
      budgetId: '00000000-0000-4000-8000-000000000001',
      departmentId,
      thresholdPct,
      usedTokens: 1234,
      limitTokens: 1000,
      cap: 'hard' as const,
      period: '2026-11',
      at: new Date().toISOString(),
    });
    for (const [dept, pct] of [
      [org.departments.backend, 80],
      [org.departments.sales, 100],
      [org.departments.backend, 100],
    ] as const)
      await emitEventNow(ctx, org.orgId, 'budget.threshold_crossed', notice(dept, pct));
    await settle();
    const fired = await firings(org.orgId, policyId);
    expect(fired).toHaveLength(1);
    expect(fired[0]?.subject).toMatchObject({ department_id: org.departments.backend, tokens: 1234 });
    const incidents = await ctx.db.withTenant(org.orgId, ({ db }) =>
      db.selectFrom('incidents').selectAll().execute(),
    );
    expect(incidents).toMatchObject([{ severity: 'critical', policy_id: policyId }]);
    const signals = await ctx.db.withTenant(org.orgId, ({ db }) =>
      db.selectFrom('governance_signals').selectAll().execute(),
    );
    expect(signals).toHaveLength(3);
    // Every threshold notice is an alert too (soft caps alert and continue; hard caps block).
    const budgetAlerts = await ctx.db.withTenant(org.orgId, ({ db }) =>
      db
        .selectFrom('alerts')
        .select(['severity', 'title'])
        .where('source', '=', 'budget')
        .orderBy('created_at')
        .execute(),
    );
    expect(budgetAlerts.map((x) => x.severity)).toEqual(['low', 'critical', 'critical']);
    // Issue 19: the alert names the budget and formats the amounts.
    expect(budgetAlerts.map((x) => x.title)).toEqual([
      "Budget 'Backend' reached 80 % — 1,234 of 1,000 tokens",
      "Budget 'Sales' reached 100 % — 1,234 of 1,000 tokens",
      "Budget 'Backend' reached 100 % — 1,234 of 1,000 tokens",
    ]);
  });

  it('shadow_ai_gap fires on a reconciliation gap above its minimum for the named provider', async () => {
    const org = await seedOrg(ctx, 'shadowpol');
    const endpointId = await endpointFor(org.orgId);
    const policyId = await publish(org.orgId, {
      name: 'Shadow OpenAI usage',
      trigger: { type: 'shadow_ai_gap', params: { min_gap_tokens: 1000 } },
      conditions: { field: 'provider', op: 'eq', value: 'openai' },
      actions: [{ type: 'webhook', endpoint_id: endpointId }],
    });
    const gap = (provider: string, gapTokens: number, day: string) => ({
      provider,
      day,
      gapTokens,
      at: new Date().toISOString(),
    });
    const hooksBefore = receiver.received.length;
    const gaps = [
      gap('openai', 500, '2026-11-01'),
      gap('anthropic', 50_000, '2026-11-01'),
      gap('openai', 50_000, '2026-11-02'),
      gap('openai', 60_000, '2026-11-02'),
      // As reconciliation emits them: with the uncertainty band and share.
      { ...gap('openai', 9000, '2026-11-05'), band: { lower: 8000, upper: 10_000 }, share: 0.4 },
    ];
    for (const g of gaps) await emitEventNow(ctx, org.orgId, 'shadow_ai.gap_detected', g);
    await settle();
    expect((await firings(org.orgId, policyId)).map((f) => f.dedupe_key)).toEqual([
      'shadow:openai:2026-11-02',
      'shadow:openai:2026-11-05',
    ]);
    expect(receiver.received.slice(hooksBefore).map((h) => (h.verified as { type: string }).type)).toEqual([
      'policy.fired',
      'policy.fired',
    ]);
  });

  it('a draft or disabled policy does not run; the published version runs, not a later edit', async () => {
    const org = await seedOrg(ctx, 'lifecycle');
    const content = (min: number) =>
      policyContentSchema.parse({
        name: 'gap',
        trigger: { type: 'shadow_ai_gap', params: { min_gap_tokens: min } },
        actions: [{ type: 'create_incident' }],
      }) as PolicyContent;
    const gap = (day: string, gapTokens: number) =>
      emitEventNow(ctx, org.orgId, 'shadow_ai.gap_detected', {
        provider: 'openai',
        day,
        gapTokens,
        at: new Date().toISOString(),
      });
    const policy = await createPolicy(ctx.db, org.orgId, ADMIN, content(1000));
    await gap('2026-11-01', 5000);
    await settle();
    expect(await firings(org.orgId, policy.id)).toHaveLength(0);
    await publishPolicy(ctx.db, org.orgId, ADMIN, policy.id);
    // Version 2 (threshold 0) is saved but not published: version 1 (threshold 1000) still runs.
    await updatePolicy(ctx.db, org.orgId, ADMIN, policy.id, {
      trigger: { type: 'shadow_ai_gap', params: { min_gap_tokens: 0 } },
    });
    await gap('2026-11-02', 5);
    await gap('2026-11-03', 5000);
    await settle();
    expect((await firings(org.orgId, policy.id)).map((f) => [f.dedupe_key, f.version])).toEqual([
      ['shadow:openai:2026-11-03', 1],
    ]);
    await disablePolicy(ctx.db, org.orgId, ADMIN, policy.id);
    await gap('2026-11-04', 5000);
    await settle();
    expect(await firings(org.orgId, policy.id)).toHaveLength(1);
  });
});
