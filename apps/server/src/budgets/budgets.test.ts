import { randomUUID } from 'node:crypto';
import { periodOf, shiftPeriodKey } from '@toktra/core';
import type { TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../context.js';
import type { BudgetThresholdNotice } from '../governance/bus.js';
import { preflight } from '../preflight/service.js';
import { createTestContext, type SeededOrg, seedOrg } from '../usage/testing.js';
import { blockUser, unblockUser } from './blocks.js';
import { decideExemption, requestExemption } from './exemptions.js';
import { setPrice } from './prices.js';
import { budgetRolloverJob } from './rollover-job.js';
import { listRollovers } from './rollovers.js';
import { createBudget, deleteBudget, listBudgets } from './service.js';
import { ADMIN, ingestTokens } from './testing.js';
import { getDepartmentTree } from './tree-view.js';

let ctx: AppContext;
let handle: TestDatabase;

beforeAll(async () => {
  ({ ctx, handle } = await createTestContext());
});
afterAll(async () => {
  await ctx.preflight.idle();
  await handle.drop();
});

async function clearBudgets(org: SeededOrg) {
  for (const b of await listBudgets(ctx, org.orgId)) await deleteBudget(ctx, org.orgId, ADMIN, b.id);
  await ctx.preflight.idle();
}

const adminPrincipal = (orgId: string) => ({
  orgId,
  kind: 'api_key' as const,
  role: 'admin' as const,
  scopes: ['admin' as const],
  keyId: 'k',
});

describe('department roll-up', () => {
  let org: SeededOrg;
  beforeAll(async () => {
    org = await seedOrg(ctx, 'rollup');
  });

  it('usage counts for the department and every ancestor, live from the bus', async () => {
    await getDepartmentTree(ctx, org.orgId); // load state before usage arrives: the bus must keep it current
    const { alice, bob, carol, dave } = org.users;
    await ingestTokens(ctx, org.orgId, [
      { userId: bob, tokens: 100 },
      { userId: alice, tokens: 20 },
      { userId: carol, tokens: 3 },
      { userId: dave, tokens: 7 },
    ]);
    const tree = await getDepartmentTree(ctx, org.orgId);
    const eng = tree.departments.find((d) => d.name === 'Engineering');
    const backend = eng?.children.find((d) => d.name === 'Backend');
    const platform = backend?.children.find((d) => d.name === 'Platform');
    expect(platform).toMatchObject({ own_tokens: 100, total_tokens: 100 });
    expect(backend).toMatchObject({ own_tokens: 20, total_tokens: 120 });
    expect(eng).toMatchObject({ own_tokens: 3, total_tokens: 123 });
    expect(tree.departments.find((d) => d.name === 'Sales')).toMatchObject({ total_tokens: 7 });
    expect(tree.org.total_tokens).toBe(130);
    // A cold load from the database gives the same figures.
    ctx.preflight.clear();
    expect((await getDepartmentTree(ctx, org.orgId)).org.total_tokens).toBe(130);
  });
});

describe('hard caps and preflight', () => {
  let org: SeededOrg;
  beforeAll(async () => {
    org = await seedOrg(ctx, 'caps');
  });
  beforeEach(() => clearBudgets(org));

  it('a hard cap at an ancestor blocks a descendant department user; other branches are untouched', async () => {
    await createBudget(ctx, org.orgId, ADMIN, {
      department_id: org.departments.engineering,
      limit_tokens: 1000,
      cap: 'hard',
    });
    const bob = await preflight(ctx, org.orgId, { user_id: org.users.bob, estimated_tokens: 0 });
    expect(bob).toMatchObject({ allow: true, remaining_tokens: 1000 });
    await ingestTokens(ctx, org.orgId, [{ userId: org.users.bob, tokens: 1000 }]);
    expect(await preflight(ctx, org.orgId, { user_id: org.users.bob })).toMatchObject({
      allow: false,
      code: 'hard_cap',
      remaining_tokens: 0,
    });
    expect(await preflight(ctx, org.orgId, { user_id: org.users.alice })).toMatchObject({
      allow: false,
      code: 'hard_cap',
    });
    expect((await preflight(ctx, org.orgId, { user_id: org.users.alice })).reason).toContain('Engineering');
    expect(await preflight(ctx, org.orgId, { user_id: org.users.dave })).toMatchObject({
      allow: true,
      code: 'no_budget',
    });
  });

  it('a soft cap alerts but allows; user_email works case-insensitively', async () => {
    await createBudget(ctx, org.orgId, ADMIN, {
      department_id: org.departments.sales,
      limit_tokens: 10,
      cap: 'soft',
    });
    await ingestTokens(ctx, org.orgId, [{ userId: org.users.dave, tokens: 50 }]);
    expect(await preflight(ctx, org.orgId, { user_email: 'DAVE@caps.test' })).toMatchObject({
      allow: true,
      remaining_tokens: 0,
    });
  });

  it('an unknown user is a 404', async () => {
    await expect(preflight(ctx, org.orgId, { user_email: 'nobody@caps.test' })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('blockUser denies with the reason until unblockUser; only that user', async () => {
    await blockUser(ctx, org.orgId, org.users.dave, { reason: 'policy: secrets pasted' });
    expect(await preflight(ctx, org.orgId, { user_id: org.users.dave })).toMatchObject({
      allow: false,
      code: 'blocked',
      reason: 'LLM access blocked: policy: secrets pasted',
    });
    expect((await preflight(ctx, org.orgId, { user_id: org.users.alice })).allow).toBe(true);
    // The block survives a reload from the database.
    ctx.preflight.clear();
    expect((await preflight(ctx, org.orgId, { user_id: org.users.dave })).allow).toBe(false);
    expect(await unblockUser(ctx, org.orgId, org.users.dave)).toBe(true);
    expect((await preflight(ctx, org.orgId, { user_id: org.users.dave })).allow).toBe(true);
    expect(await unblockUser(ctx, org.orgId, org.users.dave)).toBe(false);
    const other = await seedOrg(ctx, 'caps-other');
    await expect(blockUser(ctx, other.orgId, org.users.dave, { reason: 'x' })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('a money budget costs usage from the price table (org override wins)', async () => {
    const org = await seedOrg(ctx, 'money');
    await setPrice(ctx, org.orgId, ADMIN, {
      provider: 'openai',
      model: '*',
      input_per_mtok: 10,
      output_per_mtok: 10,
    });
    await createBudget(ctx, org.orgId, ADMIN, { limit_cost: 1, cap: 'hard' }); // $1 = 100k tokens at $10/M
    expect(
      await preflight(ctx, org.orgId, { user_id: org.users.dave, provider: 'openai', estimated_tokens: 0 }),
    ).toMatchObject({
      allow: true,
      remaining_tokens: 100_000,
    });
    await ingestTokens(ctx, org.orgId, [{ userId: org.users.dave, tokens: 60_000 }]);
    const d = await preflight(ctx, org.orgId, {
      user_id: org.users.dave,
      provider: 'openai',
      estimated_tokens: 0,
    });
    expect(d.remaining_tokens).toBe(40_000);
    await ingestTokens(ctx, org.orgId, [{ userId: org.users.dave, tokens: 40_000 }]);
    expect((await preflight(ctx, org.orgId, { user_id: org.users.dave, provider: 'openai' })).allow).toBe(
      false,
    );
  });
});

describe('thresholds', () => {
  it('each threshold fires once per period, also across a restart', async () => {
    const org = await seedOrg(ctx, 'thresholds');
    const seen: BudgetThresholdNotice[] = [];
    ctx.events.on('budget.threshold_crossed', (e) => {
      if (e.orgId === org.orgId) seen.push({ ...e.payload, orgId: e.orgId });
    });
    const budget = await createBudget(ctx, org.orgId, ADMIN, {
      department_id: org.departments.backend,
      limit_tokens: 1000,
      cap: 'soft',
      thresholds: [50, 80],
    });
    await preflight(ctx, org.orgId, { user_id: org.users.alice });
    const spend = async (tokens: number) => {
      await ingestTokens(ctx, org.orgId, [{ userId: org.users.bob, tokens }]);
      await ctx.preflight.idle();
      return seen.map((n) => n.thresholdPct);
    };
    expect(await spend(499)).toEqual([]);
    expect(await spend(1)).toEqual([50]);
    expect(await spend(100)).toEqual([50]);
    expect(await spend(300)).toEqual([50, 80]);
    expect(await spend(500)).toEqual([50, 80, 100]);
    expect(seen[2]).toMatchObject({ budgetId: budget.id, cap: 'soft', usedTokens: 1400, limitTokens: 1000 });
    ctx.preflight.clear(); // a restart: state reloads from the database
    await preflight(ctx, org.orgId, { user_id: org.users.alice });
    expect(await spend(1000)).toEqual([50, 80, 100]);
  });
});

describe('money thresholds (issue 19: they rounded up to whole currency units)', () => {
  it('95 % of a $10 budget fires at $9.50, and a $0.10 budget reaches 150 %', async () => {
    const org = await seedOrg(ctx, 'money-thresholds');
    const seen: BudgetThresholdNotice[] = [];
    ctx.events.on('budget.threshold_crossed', (e) => {
      if (e.orgId === org.orgId) seen.push({ ...e.payload, orgId: e.orgId });
    });
    // $10 per 1M tokens: 1,000 tokens cost one cent.
    await setPrice(ctx, org.orgId, ADMIN, {
      provider: 'openai',
      model: '*',
      input_per_mtok: 10,
      output_per_mtok: 10,
    });
    await createBudget(ctx, org.orgId, ADMIN, {
      department_id: org.departments.backend,
      limit_cost: 10,
      cap: 'soft',
      thresholds: [95],
    });
    await createBudget(ctx, org.orgId, ADMIN, {
      department_id: org.departments.sales,
      limit_cost: 0.1,
      cap: 'soft',
      thresholds: [150],
    });
    await preflight(ctx, org.orgId, { user_id: org.users.alice });
    const spend = async (userId: string, tokens: number) => {
      await ingestTokens(ctx, org.orgId, [{ userId, tokens }]);
      await ctx.preflight.idle();
      return seen.map(
        (n) => `${n.departmentId === org.departments.backend ? 'backend' : 'sales'}:${n.thresholdPct}`,
      );
    };
    expect(await spend(org.users.alice, 949_000)).toEqual([]); // $9.49
    expect(await spend(org.users.alice, 1_000)).toEqual(['backend:95']); // $9.50, not $10
    expect(await spend(org.users.dave, 10_000)).toEqual(['backend:95', 'sales:100']); // $0.10
    expect(await spend(org.users.dave, 5_000)).toEqual(['backend:95', 'sales:100', 'sales:150']); // $0.15
    expect(seen[0]).toMatchObject({ unit: 'cost', limit: 10, scopeName: 'Backend' });
    expect(seen[0]?.spent).toBeCloseTo(9.5, 6);
  });
});

describe('period boundaries in the org time zone', () => {
  it('Pacific/Auckland: usage just before local month start is last period, just after is this one', async () => {
    const org = await seedOrg(ctx, 'auckland', 'Pacific/Auckland');
    await createBudget(ctx, org.orgId, ADMIN, { limit_tokens: 1_000_000, cap: 'hard' });
    const period = periodOf(Date.now(), 'Pacific/Auckland');
    await preflight(ctx, org.orgId, { user_id: org.users.dave });
    await ingestTokens(ctx, org.orgId, [
      { userId: org.users.dave, tokens: 5, at: new Date(period.start.getTime() - 1) },
      { userId: org.users.dave, tokens: 7, at: new Date(Math.min(Date.now(), period.start.getTime())) },
    ]);
    const live = await getDepartmentTree(ctx, org.orgId);
    expect(live.period).toBe(period.key);
    expect(live.period_start).toBe(period.start.toISOString());
    expect(live.org.total_tokens).toBe(7);
    ctx.preflight.clear();
    expect((await getDepartmentTree(ctx, org.orgId)).org.total_tokens).toBe(7);
  });
});

describe('rollover', () => {
  it('closes the previous period and carries min(unused, cap% × limit); history lists it', async () => {
    const org = await seedOrg(ctx, 'rollover', 'America/New_York');
    const budget = await createBudget(ctx, org.orgId, ADMIN, {
      limit_tokens: 1000,
      cap: 'hard',
      rollover_cap_pct: 50,
    });
    const current = periodOf(Date.now(), 'America/New_York');
    const previous = shiftPeriodKey(current.key, -1);
    // The budget existed last month (limit 1000) and 300 tokens were spent then.
    await ctx.db.withTenant(org.orgId, ({ db }) =>
      db
        .insertInto('budget_periods')
        .values({
          org_id: org.orgId,
          budget_id: budget.id,
          period: previous,
          limit_amount: 1000,
          spent: null,
          closed_at: null,
        })
        .execute(),
    );
    await ingestTokens(ctx, org.orgId, [
      { userId: org.users.dave, tokens: 300, at: new Date(current.start.getTime() - 60_000) },
    ]);
    await budgetRolloverJob.run(ctx, {}, { id: 1, orgId: null, attempt: 1 });
    await budgetRolloverJob.run(ctx, {}, { id: 2, orgId: null, attempt: 1 }); // idempotent
    const history = await listRollovers(ctx, org.orgId, budget.id);
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({
      from_period: previous,
      to_period: current.key,
      spent: 300,
      unused: 700,
      cap_pct: 50,
      amount: 500,
    });
    const d = await preflight(ctx, org.orgId, { user_id: org.users.dave, estimated_tokens: 0 });
    expect(d.remaining_tokens).toBe(1500);
    const tree = await getDepartmentTree(ctx, org.orgId);
    expect(tree.org.budget).toMatchObject({ limit: 1000, rollover_in: 500, effective_limit: 1500 });
    const other = await seedOrg(ctx, 'rollover-other');
    await expect(listRollovers(ctx, other.orgId, budget.id)).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('exemptions', () => {
  it('unblock only the named user for the named period', async () => {
    const org = await seedOrg(ctx, 'exempt');
    const budget = await createBudget(ctx, org.orgId, ADMIN, {
      department_id: org.departments.backend,
      limit_tokens: 100,
      cap: 'hard',
    });
    await ingestTokens(ctx, org.orgId, [{ userId: org.users.bob, tokens: 100 }]);
    const period = periodOf(Date.now(), 'UTC').key;
    expect((await preflight(ctx, org.orgId, { user_id: org.users.alice })).allow).toBe(false);
    // alice's manager (carol) asks for next month, alice asks for this month.
    const carolAsks = {
      ...adminPrincipal(org.orgId),
      kind: 'user' as const,
      role: 'manager' as const,
      userId: org.users.carol,
      scopes: ['read' as const],
    };
    const aliceAsks = { ...carolAsks, role: 'employee' as const, userId: org.users.alice };
    const next = await requestExemption(ctx, org.orgId, carolAsks, {
      user_id: org.users.alice,
      budget_id: budget.id,
      period: shiftPeriodKey(period, 1),
      lift: true,
    });
    const now = await requestExemption(ctx, org.orgId, aliceAsks, {
      user_id: org.users.alice,
      budget_id: budget.id,
      raise_tokens: 50,
      justification: 'release week',
    });
    expect(now).toMatchObject({ status: 'requested', period, kind: 'raise' });
    // alice may not ask for bob; requests alone change nothing.
    await expect(
      requestExemption(ctx, org.orgId, aliceAsks, {
        user_id: org.users.bob,
        budget_id: budget.id,
        lift: true,
      }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    expect((await preflight(ctx, org.orgId, { user_id: org.users.alice })).allow).toBe(false);
    await decideExemption(ctx, org.orgId, ADMIN, next.id, 'approved');
    expect((await preflight(ctx, org.orgId, { user_id: org.users.alice })).allow).toBe(false); // next month's, not now
    await decideExemption(ctx, org.orgId, ADMIN, now.id, 'approved');
    expect(await preflight(ctx, org.orgId, { user_id: org.users.alice, estimated_tokens: 0 })).toMatchObject({
      allow: true,
      remaining_tokens: 50,
    });
    expect((await preflight(ctx, org.orgId, { user_id: org.users.bob })).allow).toBe(false); // only alice
    await expect(decideExemption(ctx, org.orgId, ADMIN, now.id, 'rejected')).rejects.toMatchObject({
      code: 'conflict',
    });
    const audit = await ctx.db.withTenant(org.orgId, ({ db }) =>
      db
        .selectFrom('audit_log')
        .select(['action', 'target_id'])
        .where('target_type', '=', 'exemption')
        .orderBy('seq')
        .execute(),
    );
    expect(audit.map((a) => a.action)).toEqual([
      'exemption.request',
      'exemption.request',
      'exemption.approve',
      'exemption.approve',
    ]);
  });
});

describe('reconciled usage', () => {
  it('replaces estimates for a provider-day once present, spread by estimated share (background refresh)', async () => {
    const org = await seedOrg(ctx, 'reconciled');
    await ingestTokens(ctx, org.orgId, [
      { userId: org.users.dave, tokens: 100 },
      { userId: org.users.alice, tokens: 300 },
    ]);
    expect((await getDepartmentTree(ctx, org.orgId)).org.total_tokens).toBe(400);
    // The provider reports 800 input tokens for this hour: twice what the agents estimated.
    const connectionId = randomUUID();
    await ctx.db.withTenant(org.orgId, async ({ db }) => {
      await db
        .insertInto('provider_connections')
        .values({
          id: connectionId,
          org_id: org.orgId,
          provider: 'openai',
          name: 'oa',
          credentials_enc: 'x',
          credentials_hint: 'x',
        })
        .execute();
      await db
        .insertInto('reconciled_usage')
        .values({
          org_id: org.orgId,
          connection_id: connectionId,
          provider: 'openai',
          bucket_start: new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000),
          bucket_width: '1h',
          model: null,
          project_id: null,
          workspace_id: null,
          api_key_id: null,
          input_tokens: 800,
          cached_input_tokens: 0,
          cache_write_tokens: 0,
          output_tokens: 0,
          requests: null,
        })
        .execute();
    });
    const maxAge = ctx.preflight.options.countersMaxAgeMs;
    ctx.preflight.options.countersMaxAgeMs = 0;
    try {
      ctx.preflight.peek(org.orgId); // stale counters: refreshed in the background
      await ctx.preflight.idle();
    } finally {
      ctx.preflight.options.countersMaxAgeMs = maxAge;
    }
    const tree = await getDepartmentTree(ctx, org.orgId);
    expect(tree.org.total_tokens).toBe(800);
    expect(tree.departments.find((d) => d.name === 'Sales')?.total_tokens).toBe(200);
    expect(tree.departments.find((d) => d.name === 'Engineering')?.total_tokens).toBe(600);
  });
});
