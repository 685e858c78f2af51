import type { TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestTokens } from '../../../budgets/testing.js';
import type { AppContext } from '../../../context.js';
import { bearer, createKey, createTestContext, type SeededOrg, seedOrg } from '../../../usage/testing.js';
import { buildHttpApp, type HttpApp } from '../../app.js';

let ctx: AppContext;
let handle: TestDatabase;
let app: HttpApp;
let a: SeededOrg;
let b: SeededOrg;
let adminKey: string;
let readKey: string;
let bAdminKey: string;

beforeAll(async () => {
  ({ ctx, handle } = await createTestContext());
  a = await seedOrg(ctx, 'budget-api-a');
  b = await seedOrg(ctx, 'budget-api-b');
  adminKey = await createKey(ctx, a.orgId, ['read', 'write', 'admin']);
  readKey = await createKey(ctx, a.orgId, ['read']);
  bAdminKey = await createKey(ctx, b.orgId, ['read', 'write', 'admin']);
  app = await buildHttpApp(ctx);
});
afterAll(async () => {
  await app.close();
  await ctx.preflight.idle();
  await handle.drop();
});

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
function call(method: Method, url: string, body?: unknown, key = adminKey) {
  return app.inject({
    method,
    url,
    headers: bearer(key),
    ...(body === undefined ? {} : { payload: body as object }),
  });
}

async function auditActions(orgId: string): Promise<string[]> {
  const rows = await ctx.db.withTenant(orgId, ({ db }) =>
    db.selectFrom('audit_log').select('action').orderBy('seq').execute(),
  );
  return rows.map((r) => r.action);
}

describe('budgets API', () => {
  it('creates, reads, updates and deletes a budget, each change audited', async () => {
    const created = await call('POST', '/v1/budgets', {
      department_id: a.departments.backend,
      limit_tokens: 5_000,
      cap: 'hard',
      thresholds: [95, 80],
      rollover_cap_pct: 25,
    });
    expect(created.statusCode).toBe(201);
    const budget = created.json();
    expect(budget).toMatchObject({
      unit: 'tokens',
      thresholds: [80, 95],
      cap: 'hard',
      current: { effective_limit: 5_000, spent: 0 },
    });
    await ingestTokens(ctx, a.orgId, [{ userId: a.users.bob, tokens: 1_000 }]);
    expect((await call('GET', `/v1/budgets/${budget.id}`, undefined, readKey)).json().current).toMatchObject({
      spent: 1_000,
      used_pct: 20,
    });
    expect((await call('GET', '/v1/budgets', undefined, readKey)).json().data).toHaveLength(1);
    const patched = await call('PATCH', `/v1/budgets/${budget.id}`, { limit_cost: 50, cap: 'soft' });
    expect(patched.json()).toMatchObject({ unit: 'cost', limit_tokens: null, limit_cost: 50, cap: 'soft' });
    expect((await call('GET', `/v1/budgets/${budget.id}/rollovers`)).json()).toEqual({ data: [] });
    expect((await call('DELETE', `/v1/budgets/${budget.id}`)).statusCode).toBe(204);
    expect((await call('GET', `/v1/budgets/${budget.id}`)).statusCode).toBe(404);
    expect(await auditActions(a.orgId)).toEqual(
      expect.arrayContaining(['budget.create', 'budget.update', 'budget.delete']),
    );
  });

  it('one budget per scope: a second org budget is a 409', async () => {
    const first = await call('POST', '/v1/budgets', { limit_tokens: 100, cap: 'soft' });
    expect(first.statusCode).toBe(201);
    const second = await call('POST', '/v1/budgets', { limit_tokens: 100, cap: 'soft' });
    expect(second.statusCode).toBe(409);
    await call('DELETE', `/v1/budgets/${first.json().id}`);
  });

  it.each([
    [{ cap: 'hard' }, 'exactly one of limit_tokens or limit_cost'],
    [{ limit_tokens: 10, limit_cost: 1, cap: 'hard' }, 'exactly one of limit_tokens or limit_cost'],
    [{ limit_tokens: -5, cap: 'hard' }, 'limit_tokens'],
    [{ limit_tokens: 1.5, cap: 'hard' }, 'limit_tokens'],
    [{ limit_tokens: 10, cap: 'maybe' }, 'cap'],
    [{ limit_tokens: 10, cap: 'hard', thresholds: [0] }, 'thresholds'],
    [{ limit_tokens: 10, cap: 'hard', thresholds: [101] }, 'thresholds'],
    [{ limit_tokens: 10, cap: 'hard', rollover_cap_pct: 150 }, 'rollover_cap_pct'],
    [{ limit_tokens: 10, cap: 'hard', surprise: true }, 'surprise'],
  ])('bad input %j → 400 naming the problem', async (body, mention) => {
    const res = await call('POST', '/v1/budgets', body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('validation_failed');
    expect(res.json().error.message).toContain(mention);
  });

  it('a read key may read budgets but not change them; no key is a 401', async () => {
    expect((await call('POST', '/v1/budgets', { limit_tokens: 10, cap: 'hard' }, readKey)).statusCode).toBe(
      403,
    );
    expect((await app.inject({ method: 'GET', url: '/v1/budgets' })).statusCode).toBe(401);
  });
});

describe('department tree API', () => {
  it('moves and renames with cycle prevention, serves the live tree, deletes moving members up', async () => {
    const { engineering, backend, platform, sales } = a.departments;
    const cycle = await call('PATCH', `/v1/departments/${engineering}`, { parent_id: platform });
    expect(cycle.statusCode).toBe(400);
    expect(cycle.json().error.message).toContain('cycle');
    expect(
      (await call('PATCH', `/v1/departments/${engineering}`, { parent_id: engineering })).statusCode,
    ).toBe(400);
    expect((await call('PATCH', `/v1/departments/${engineering}`, {})).statusCode).toBe(400);
    const moved = await call('PATCH', `/v1/departments/${platform}`, {
      parent_id: sales,
      name: 'Platform Ops',
    });
    expect(moved.json()).toMatchObject({ parent_id: sales, name: 'Platform Ops' });
    const tree = (await call('GET', '/v1/departments/tree', undefined, readKey)).json();
    const salesNode = tree.departments.find((d: { id: string }) => d.id === sales);
    expect(salesNode.children.map((c: { name: string }) => c.name)).toEqual(['Platform Ops']);
    // bob's usage now rolls up to Sales, no longer to Engineering.
    expect(salesNode.total_tokens).toBeGreaterThanOrEqual(1_000);
    const eng = tree.departments.find((d: { id: string }) => d.id === engineering);
    expect(eng.total_tokens).toBe(
      eng.own_tokens + eng.children.reduce((s: number, c: { total_tokens: number }) => s + c.total_tokens, 0),
    );
    await call('PATCH', `/v1/departments/${platform}`, { parent_id: backend, name: 'Platform' });
    expect((await call('DELETE', `/v1/departments/${platform}`)).statusCode).toBe(204);
    const bob = await ctx.db.withTenant(a.orgId, ({ db }) =>
      db.selectFrom('users').select('department_id').where('id', '=', a.users.bob).executeTakeFirstOrThrow(),
    );
    expect(bob.department_id).toBe(backend);
    expect(await auditActions(a.orgId)).toEqual(
      expect.arrayContaining(['department.update', 'department.delete']),
    );
  });
});

describe('prices API', () => {
  it('lists defaults, sets and removes an org override (audited)', async () => {
    const list = (await call('GET', '/v1/prices', undefined, readKey)).json().data;
    expect(list).toContainEqual(
      expect.objectContaining({ provider: 'openai', model: '*', source: 'default' }),
    );
    const set = await call('PUT', '/v1/prices/openai/gpt-4o', { input_per_mtok: 1, output_per_mtok: 2 });
    expect(set.json()).toMatchObject({ provider: 'openai', model: 'gpt-4o', source: 'org' });
    expect((await call('GET', '/v1/prices')).json().data).toContainEqual(
      expect.objectContaining({ model: 'gpt-4o', input_per_mtok: 1, source: 'org' }),
    );
    expect(
      (await call('PUT', '/v1/prices/openai/gpt-4o', { input_per_mtok: -1, output_per_mtok: 2 })).statusCode,
    ).toBe(400);
    expect((await call('DELETE', '/v1/prices/openai/gpt-4o')).statusCode).toBe(204);
    expect((await call('DELETE', '/v1/prices/openai/gpt-4o')).statusCode).toBe(404);
    expect(await auditActions(a.orgId)).toEqual(expect.arrayContaining(['price.set', 'price.delete']));
  });
});

describe('preflight + exemptions API', () => {
  it('denies over a hard cap, exemption request → approve unblocks that user', async () => {
    const budget = (
      await call('POST', '/v1/budgets', { department_id: a.departments.sales, limit_tokens: 10, cap: 'hard' })
    ).json();
    await ingestTokens(ctx, a.orgId, [{ userId: a.users.dave, tokens: 10 }]);
    const ingestKey = await createKey(ctx, a.orgId, ['ingest']);
    const denied = await call('POST', '/v1/preflight', { user_email: 'dave@budget-api-a.test' }, ingestKey);
    expect(denied.json()).toMatchObject({ allow: false, code: 'hard_cap', remaining_tokens: 0 });
    expect(
      (await call('POST', '/v1/preflight', { user_id: a.users.dave, user_email: 'x@y.z' }, ingestKey))
        .statusCode,
    ).toBe(400);
    expect((await call('POST', '/v1/preflight', {}, ingestKey)).json().error.message).toContain(
      'user_id or user_email',
    );
    const requested = await call('POST', '/v1/exemptions', {
      user_id: a.users.dave,
      budget_id: budget.id,
      lift: true,
      justification: 'demo day',
    });
    expect(requested.statusCode).toBe(201);
    const ex = requested.json();
    expect(
      (
        await call('POST', '/v1/exemptions', {
          user_id: a.users.dave,
          budget_id: budget.id,
          raise_tokens: 5,
          lift: true,
        })
      ).statusCode,
    ).toBe(400);
    expect(
      (
        await call('POST', '/v1/exemptions', {
          user_id: a.users.dave,
          budget_id: budget.id,
          lift: true,
          period: '2020-01',
        })
      ).statusCode,
    ).toBe(400);
    expect(
      (await call('GET', '/v1/exemptions?status=requested', undefined, readKey))
        .json()
        .data.map((e: { id: string }) => e.id),
    ).toContain(ex.id);
    expect((await call('POST', `/v1/exemptions/${ex.id}/approve`, undefined, readKey)).statusCode).toBe(403);
    const approved = await call('POST', `/v1/exemptions/${ex.id}/approve`, { note: 'ok' });
    expect(approved.json()).toMatchObject({ status: 'approved', decision_note: 'ok' });
    expect((await call('POST', `/v1/exemptions/${ex.id}/reject`)).statusCode).toBe(409);
    expect((await call('POST', '/v1/preflight', { user_id: a.users.dave }, ingestKey)).json()).toMatchObject({
      allow: true,
    });
    expect((await call('GET', `/v1/exemptions/${ex.id}`)).json().status).toBe('approved');
  });

  it('blocks and unblocks a user through the API (audited); preflight follows at once', async () => {
    const ingestKey = await createKey(ctx, a.orgId, ['ingest']);
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const blocked = await call('POST', `/v1/users/${a.users.alice}/block`, {
      reason: 'secrets in prompts',
      until,
    });
    expect(blocked.json()).toMatchObject({ user_id: a.users.alice, source: 'admin', until });
    expect((await call('POST', '/v1/preflight', { user_id: a.users.alice }, ingestKey)).json()).toMatchObject(
      {
        allow: false,
        code: 'blocked',
        reason: 'LLM access blocked: secrets in prompts',
      },
    );
    expect((await call('GET', '/v1/blocks', undefined, readKey)).json().data).toHaveLength(1);
    expect((await call('POST', `/v1/users/${a.users.alice}/block`, { reason: '' })).statusCode).toBe(400);
    expect(
      (await call('POST', `/v1/users/${a.users.alice}/block`, { reason: 'x', until: 'tomorrow' })).statusCode,
    ).toBe(400);
    expect((await call('DELETE', `/v1/users/${a.users.alice}/block`)).statusCode).toBe(204);
    expect((await call('DELETE', `/v1/users/${a.users.alice}/block`)).statusCode).toBe(404);
    expect((await call('POST', '/v1/preflight', { user_id: a.users.alice }, ingestKey)).json().code).not.toBe(
      'blocked',
    );
    expect(await auditActions(a.orgId)).toEqual(expect.arrayContaining(['user.block', 'user.unblock']));
  });

  it('preflight needs an ingest or read key', async () => {
    const writeOnly = await createKey(ctx, a.orgId, ['write']);
    expect((await call('POST', '/v1/preflight', { user_id: a.users.dave }, writeOnly)).statusCode).toBe(403);
    expect(
      (await app.inject({ method: 'POST', url: '/v1/preflight', payload: { user_id: a.users.dave } }))
        .statusCode,
    ).toBe(401);
  });
});

describe('cross-tenant: a foreign id is a 404 on every endpoint', () => {
  it('org B cannot see or touch org A budgets, exemptions, departments, users', async () => {
    const budget = (
      await call('POST', '/v1/budgets', {
        department_id: a.departments.engineering,
        limit_tokens: 10,
        cap: 'soft',
      })
    ).json();
    const ex = (
      await call('POST', '/v1/exemptions', { user_id: a.users.carol, budget_id: budget.id, raise_tokens: 5 })
    ).json();
    const asB = (method: Method, url: string, body?: unknown) => call(method, url, body, bAdminKey);
    const checks: Array<[Method, string, unknown?]> = [
      ['GET', `/v1/budgets/${budget.id}`],
      ['PATCH', `/v1/budgets/${budget.id}`, { cap: 'hard' }],
      ['DELETE', `/v1/budgets/${budget.id}`],
      ['GET', `/v1/budgets/${budget.id}/rollovers`],
      ['POST', '/v1/budgets', { department_id: a.departments.sales, limit_tokens: 5, cap: 'hard' }],
      ['GET', `/v1/exemptions/${ex.id}`],
      ['POST', `/v1/exemptions/${ex.id}/approve`],
      ['POST', `/v1/exemptions/${ex.id}/reject`],
      ['POST', '/v1/exemptions', { user_id: a.users.carol, budget_id: budget.id, lift: true }],
      ['POST', '/v1/exemptions', { user_id: b.users.carol, budget_id: budget.id, lift: true }],
      ['PATCH', `/v1/departments/${a.departments.sales}`, { name: 'stolen' }],
      ['PATCH', `/v1/departments/${b.departments.sales}`, { parent_id: a.departments.sales }],
      ['DELETE', `/v1/departments/${a.departments.sales}`],
      ['POST', '/v1/preflight', { user_id: a.users.dave }],
      ['POST', '/v1/preflight', { user_email: 'dave@budget-api-a.test' }],
      ['POST', `/v1/users/${a.users.dave}/block`, { reason: 'cross-tenant' }],
      ['DELETE', `/v1/users/${a.users.dave}/block`],
    ];
    for (const [method, url, body] of checks) {
      const res = await asB(method, url, body);
      expect([url, res.statusCode]).toEqual([url, 404]);
    }
    // Lists and the tree show only org B's own rows.
    expect((await asB('GET', '/v1/budgets')).json().data).toEqual([]);
    expect((await asB('GET', '/v1/exemptions')).json().data).toEqual([]);
    expect((await asB('GET', '/v1/blocks')).json().data).toEqual([]);
    const tree = (await asB('GET', '/v1/departments/tree')).json();
    expect(tree.departments.map((d: { name: string }) => d.name).sort()).toEqual(['Engineering', 'Sales']);
    expect(tree.org.total_tokens).toBe(0);
    expect(
      (await asB('GET', '/v1/prices')).json().data.every((p: { source: string }) => p.source === 'default'),
    ).toBe(true);
    expect((await asB('DELETE', '/v1/prices/openai/*')).statusCode).toBe(404);
    // Nothing changed in org A.
    expect((await call('GET', `/v1/budgets/${budget.id}`)).json().cap).toBe('soft');
    expect((await call('GET', `/v1/exemptions/${ex.id}`)).json().status).toBe('requested');
  });
});
