import type { TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../../api-keys/service.js';
import {
  createAuthTestContext,
  injectAs,
  seedAuthOrg,
  signInForTest,
  type TestSession,
  type TestUsers,
} from '../../../auth/testing.js';
import { createBudget } from '../../../budgets/service.js';
import { ADMIN, ingestTokens } from '../../../budgets/testing.js';
import type { AppContext } from '../../../context.js';
import { buildHttpApp, type HttpApp } from '../../app.js';

let ctx: AppContext;
let handle: TestDatabase;
let app: HttpApp;
let a: TestUsers;
let b: TestUsers;
let backendBudget: string;
let orgBudget: string;
let salesBudget: string;
let foreignBudget: string;

beforeAll(async () => {
  ({ ctx, handle } = await createAuthTestContext());
  app = await buildHttpApp(ctx);
  a = await seedAuthOrg(ctx, 'mybudget-a');
  b = await seedAuthOrg(ctx, 'mybudget-b');
  orgBudget = (await createBudget(ctx, a.orgId, ADMIN, { limit_tokens: 1_000_000, cap: 'soft' })).id;
  backendBudget = (
    await createBudget(ctx, a.orgId, ADMIN, {
      department_id: a.departments.child,
      limit_tokens: 1_000,
      cap: 'hard',
    })
  ).id;
  salesBudget = (
    await createBudget(ctx, a.orgId, ADMIN, {
      department_id: a.departments.other,
      limit_tokens: 5,
      cap: 'hard',
    })
  ).id;
  foreignBudget = (await createBudget(ctx, b.orgId, ADMIN, { limit_tokens: 10, cap: 'hard' })).id;
  // The peer (same department as the employee) spends past Backend's hard cap.
  await ingestTokens(ctx, a.orgId, [{ userId: a.users.peer, tokens: 1_500 }]);
});
afterAll(async () => {
  await app.close();
  await handle.drop();
});

const signIn = (email: string) => signInForTest(app, email);
const call = (who: TestSession | { bearer: string }, method: string, url: string, payload?: unknown) =>
  injectAs(app, who, method, url, payload);

describe('GET /v1/me/budget (the employee’s own budget status)', () => {
  it('an employee over a hard cap sees blocked=true, the budgets over them and the spend', async () => {
    const me = await signIn('employee@mybudget-a.test');
    const res = await call(me, 'GET', '/v1/me/budget');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.status).toMatchObject({
      allow: false,
      blocked: true,
      code: 'hard_cap',
      budget_id: backendBudget,
    });
    expect(body.period).toMatch(/^\d{4}-\d{2}$/);
    // Department chain (Backend; Engineering has no budget) then org-wide; never Sales.
    expect(body.budgets.map((x: { id: string }) => x.id)).toEqual([backendBudget, orgBudget]);
    expect(body.budgets[0]).toMatchObject({
      scope_name: 'Backend',
      cap: 'hard',
      unit: 'tokens',
      limit: 1_000,
      used: 1_500,
      used_tokens: 1_500,
      exemption: null,
    });
    expect(body.budgets[1]).toMatchObject({ department_id: null, cap: 'soft', limit: 1_000_000 });
    expect(JSON.stringify(body)).not.toContain(salesBudget);
    expect(body.exemptions).toEqual([]);
  });

  it('shows my own request, then an admin’s approval, and I am no longer blocked', async () => {
    const me = await signIn('employee@mybudget-a.test');
    const asked = await call(me, 'POST', '/v1/exemptions', {
      user_id: a.users.employee,
      budget_id: backendBudget,
      lift: true,
      justification: 'release week',
    });
    expect(asked.statusCode).toBe(201);
    const pending = (await call(me, 'GET', '/v1/me/budget')).json();
    expect(pending.exemptions).toMatchObject([
      { id: asked.json().id, budget_id: backendBudget, kind: 'lift', status: 'requested', decided_at: null },
    ]);
    expect(pending.status.blocked).toBe(true);

    // A colleague in the same department sees neither my request nor my exemption.
    const peer = await signIn('peer@mybudget-a.test');
    expect((await call(peer, 'GET', '/v1/me/budget')).json().exemptions).toEqual([]);

    const owner = await signIn('owner@mybudget-a.test');
    expect((await call(owner, 'POST', `/v1/exemptions/${asked.json().id}/approve`, {})).statusCode).toBe(200);
    const after = (await call(me, 'GET', '/v1/me/budget')).json();
    expect(after.status).toMatchObject({ blocked: false, allow: true });
    expect(after.exemptions[0]).toMatchObject({ status: 'approved', decided_at: expect.any(String) });
    expect(after.budgets[0].exemption).toEqual({ kind: 'lift' });
    const peerAfter = (await call(peer, 'GET', '/v1/me/budget')).json();
    expect(peerAfter.status.blocked).toBe(true);
    expect(peerAfter.budgets[0].exemption).toBeNull();
    expect(peerAfter.exemptions).toEqual([]);

    const filtered = await call(me, 'GET', '/v1/me/budget?status=rejected');
    expect(filtered.statusCode).toBe(200);
    expect(filtered.json().exemptions).toEqual([]);
  });

  it('a foreign org’s employee sees only their own org; foreign ids in a request are 404', async () => {
    const foreign = await signIn('employee@mybudget-b.test');
    const res = await call(foreign, 'GET', '/v1/me/budget');
    expect(res.statusCode).toBe(200);
    expect(res.json().budgets.map((x: { id: string }) => x.id)).toEqual([foreignBudget]);
    expect(res.json().status).toMatchObject({ blocked: false });
    expect(res.json().exemptions).toEqual([]);
    for (const payload of [
      { user_id: b.users.employee, budget_id: backendBudget, raise_tokens: 100 },
      { user_id: a.users.employee, budget_id: foreignBudget, raise_tokens: 100 },
    ]) {
      const denied = await call(foreign, 'POST', '/v1/exemptions', payload);
      expect(denied.statusCode, JSON.stringify(payload)).toBe(404);
      expect(denied.json().error.code).toBe('not_found');
    }
  });

  it('answers bad input with 400, API keys with 403 and signed-out callers with 401', async () => {
    const me = await signIn('employee@mybudget-a.test');
    for (const url of ['/v1/me/budget?status=pending', `/v1/me/budget?user_id=${a.users.peer}`]) {
      const res = await call(me, 'GET', url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    }
    const bad = await call(me, 'POST', '/v1/exemptions', {
      user_id: a.users.employee,
      budget_id: backendBudget,
      raise_tokens: -5,
    });
    expect(bad.statusCode).toBe(400);
    const { apiKey } = await createApiKey(
      ctx.db,
      a.orgId,
      { type: 'system', id: null },
      { name: 'admin', scopes: ['read', 'write', 'admin'] },
    );
    const byKey = await call({ bearer: apiKey }, 'GET', '/v1/me/budget');
    expect(byKey.statusCode).toBe(403);
    expect(byKey.json().error.code).toBe('forbidden');
    expect((await app.inject({ method: 'GET', url: '/v1/me/budget' })).statusCode).toBe(401);
  });

  it('is documented in the OpenAPI document', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/v1/openapi.json' })).json();
    const op = doc.paths?.['/v1/me/budget']?.get;
    expect(op).toBeDefined();
    expect(op.parameters.map((p: { name: string }) => p.name)).toEqual(['status']);
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403']));
  });
});
