import { randomUUID } from 'node:crypto';
import type { ApiKeyScope } from '@toktra/db';
import type { TestDatabase } from '@toktra/db/testing';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../src/api-keys/service.js';
import type { Principal } from '../src/auth/permissions.js';
import { principalFromApiKey, principalFromSession } from '../src/auth/principal.js';
import { authorize, declaredRoutesOf, type RouteAuth } from '../src/auth/route-auth.js';
import { SESSION_COOKIE } from '../src/auth/sessions.js';
import {
  authHeaders,
  createAuthTestContext,
  seedAuthOrg,
  signInForTest,
  type TestSession,
  type TestUsers,
} from '../src/auth/testing.js';
import type { AppContext } from '../src/context.js';
import { generateExportJob } from '../src/exports/job.js';
import { buildHttpApp, type HttpApp } from '../src/http/app.js';
import { JobRunner } from '../src/jobs/runner.js';

/**
 * Walks EVERY registered route (from the app's own route table, so a route added later is walked
 * too) as each role, each API-key scope, a foreign org's owner and anonymous, on a seeded org with
 * a department tree (Engineering → Backend, Sales), a manager of Engineering and employees with
 * usage, and compares each answer with the route's declared auth: 401 without credentials (before
 * the body is even validated), 403 when the declaration refuses, never a 5xx, and never another
 * person's data beyond the caller's reach nor anything of another tenant.
 */

let ctx: AppContext;
let handle: TestDatabase;
let app: HttpApp;
let a: TestUsers;
let b: TestUsers;

interface Caller {
  name: string;
  headers: Record<string, string>;
  principal: Principal | null;
  /** Strings (ids, emails) that must never appear in this caller's answers. */
  forbidden: string[];
}
const callers: Caller[] = [];

const emailOf = (slug: string, key: string) => `${key}@${slug}.test`;

async function ingestUsage(orgId: string, emails: string[]): Promise<void> {
  const { apiKey } = await createApiKey(
    ctx.db,
    orgId,
    { type: 'cli', id: null },
    { name: 'seed', scopes: ['ingest'] },
  );
  const today = new Date().toISOString().slice(0, 10);
  const res = await app.inject({
    method: 'POST',
    url: '/v1/events',
    headers: { authorization: `Bearer ${apiKey}` },
    payload: {
      events: emails.map((email, i) => ({
        id: randomUUID(),
        occurred_at: `${today}T00:0${i}:00Z`,
        user_email: email,
        provider: 'openai',
        model: 'gpt-4o',
        input_tokens: 1000 + i,
        output_tokens: 100 + i,
      })),
    },
  });
  expect(res.statusCode, res.body).toBe(200);
}

async function keyCaller(orgId: string, scope: ApiKeyScope, forbidden: string[]): Promise<Caller> {
  const { apiKey } = await createApiKey(
    ctx.db,
    orgId,
    { type: 'cli', id: null },
    { name: scope, scopes: [scope] },
  );
  return {
    name: `key:${scope}`,
    headers: { authorization: `Bearer ${apiKey}` },
    principal: await principalFromApiKey(ctx.db, apiKey),
    forbidden,
  };
}

async function sessionCaller(name: string, email: string, forbidden: string[]): Promise<Caller> {
  const session: TestSession = await signInForTest(app, email);
  const token = decodeURIComponent(session.cookie.slice(`${SESSION_COOKIE}=`.length));
  return {
    name,
    headers: authHeaders(session),
    principal: await principalFromSession(ctx.db, token),
    forbidden,
  };
}

beforeAll(async () => {
  ({ ctx, handle } = await createAuthTestContext());
  app = await buildHttpApp(ctx);
  a = await seedAuthOrg(ctx, 'walk-a');
  b = await seedAuthOrg(ctx, 'walk-b');
  // An admin beside the owner, with the same password.
  await ctx.db.withTenant(a.orgId, async ({ db }) => {
    const owner = await db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', a.ownerId)
      .executeTakeFirstOrThrow();
    await db
      .insertInto('users')
      .values({
        org_id: a.orgId,
        email: emailOf('walk-a', 'admin'),
        name: 'admin',
        role: 'admin',
        password_hash: owner.password_hash,
      })
      .execute();
  });
  const people = ['manager', 'employee', 'peer', 'outsider', 'auditor'];
  await ingestUsage(a.orgId, [emailOf('walk-a', 'owner'), ...people.map((p) => emailOf('walk-a', p))]);
  await ingestUsage(b.orgId, [emailOf('walk-b', 'owner'), ...people.map((p) => emailOf('walk-b', p))]);
  // An exemption request by someone beyond the manager's reach (not the outsider: the walk strips
  // that id, which it sends as every path id).
  await ctx.db.withTenant(a.orgId, async ({ db }) => {
    const budget = await db
      .insertInto('budgets')
      .values({ org_id: a.orgId, limit_tokens: 1_000_000, cap: 'soft', thresholds: '[]' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('budget_exemptions')
      .values({
        org_id: a.orgId,
        budget_id: budget.id,
        user_id: a.users.auditor,
        period: new Date().toISOString().slice(0, 7),
        kind: 'lift',
        raise_tokens: null,
        requested_by_type: 'user',
        requested_by: a.users.auditor,
        decided_by: null,
        decided_at: null,
        decision_note: null,
      })
      .execute();
  });

  const idsOf = (org: TestUsers, slug: string, keys: Array<keyof TestUsers['users'] | 'owner'>) =>
    keys.flatMap((k) => [k === 'owner' ? org.ownerId : org.users[k], emailOf(slug, k)]);
  // Org B's people and departments: never in any answer to an org-A caller.
  const orgB = [
    ...idsOf(b, 'walk-b', ['owner', 'manager', 'employee', 'peer', 'outsider', 'auditor']),
    b.departments.root,
    b.departments.child,
    b.departments.other,
  ];
  const orgA = [
    ...idsOf(a, 'walk-a', ['owner', 'manager', 'employee', 'peer', 'outsider', 'auditor']),
    a.departments.root,
    a.departments.child,
    a.departments.other,
  ];
  // The manager reaches Engineering → Backend (manager, employee, peer); the employee only themselves.
  const beyondManager = idsOf(a, 'walk-a', ['owner', 'outsider', 'auditor']);
  const beyondEmployee = idsOf(a, 'walk-a', ['owner', 'manager', 'peer', 'outsider', 'auditor']);

  callers.push({ name: 'anonymous', headers: {}, principal: null, forbidden: [...orgA, ...orgB] });
  callers.push(await sessionCaller('foreign-owner', emailOf('walk-b', 'owner'), orgA));
  callers.push(await sessionCaller('employee', emailOf('walk-a', 'employee'), [...beyondEmployee, ...orgB]));
  callers.push(await sessionCaller('manager', emailOf('walk-a', 'manager'), [...beyondManager, ...orgB]));
  callers.push(await sessionCaller('auditor', emailOf('walk-a', 'auditor'), orgB));
  for (const scope of ['ingest', 'read', 'write'] as const)
    callers.push(await keyCaller(a.orgId, scope, orgB));
  callers.push(await sessionCaller('admin', emailOf('walk-a', 'admin'), orgB));
  callers.push(await keyCaller(a.orgId, 'admin', orgB));
  // Last: owner-level callers may change things the others' answers depend on.
  callers.push(await sessionCaller('owner', emailOf('walk-a', 'owner'), orgB));
}, 240_000);

afterAll(async () => {
  await app.close();
  await handle.drop();
});

/** What the declaration says `caller` should get: 'ok', 401 or 403. */
function expected(declared: RouteAuth, caller: Caller): 'ok' | 401 | 403 {
  if (declared.kind === 'public') return 'ok';
  if (!caller.principal) return 401;
  if (declared.kind !== 'principal') return 401; // extension / device credentials only
  try {
    authorize(caller.principal, declared);
    return 'ok';
  } catch {
    return 403;
  }
}

/** Path params: org A's out-of-reach employee (Sales) for any id, so a leak would show. */
function fill(url: string): string {
  return url
    .replace(/:[A-Za-z_]+/g, (p) => (p === ':orgId' ? a.orgId : a.users.outsider))
    .replace(/\*$/, 'x');
}

describe('reach of the findings (each failed before the one authorization module)', () => {
  const as = (name: string) => {
    const caller = callers.find((c) => c.name === name);
    if (!caller) throw new Error(name);
    return caller.headers;
  };
  const get = (name: string, url: string) => app.inject({ method: 'GET', url, headers: as(name) });

  async function exportUsersAs(name: string): Promise<string[]> {
    const today = new Date().toISOString().slice(0, 10);
    const created = await app.inject({
      method: 'POST',
      url: '/v1/exports',
      headers: as(name),
      payload: { start_date: today, end_date: today, format: 'csv', scope: 'users' },
    });
    expect(created.statusCode, created.body).toBe(202);
    await new JobRunner(ctx, [generateExportJob]).runOnce();
    const view = await get(name, `/v1/exports/${created.json().job_id}`);
    expect(view.json().status).toBe('ready');
    const download = await app.inject({
      method: 'GET',
      url: new URL(view.json().download_url).pathname + new URL(view.json().download_url).search,
    });
    expect(download.statusCode).toBe(200);
    const [header, ...rows] = download.body.trim().split('\n');
    const column = header?.split(',').indexOf('user_id') ?? -1;
    return rows.map((r) => r.split(',')[column] ?? '');
  }

  it('exports: an employee downloads only their own rows, a manager only their subtree', async () => {
    expect(new Set(await exportUsersAs('employee'))).toEqual(new Set([a.users.employee]));
    expect(new Set(await exportUsersAs('manager'))).toEqual(
      new Set([a.users.manager, a.users.employee, a.users.peer]),
    );
    expect((await exportUsersAs('owner')).length).toBeGreaterThanOrEqual(6);
  });

  it("exports: someone else's export job is a 404 to employees", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const created = await app.inject({
      method: 'POST',
      url: '/v1/exports',
      headers: as('owner'),
      payload: { start_date: today, end_date: today, format: 'json', scope: 'users' },
    });
    expect((await get('employee', `/v1/exports/${created.json().job_id}`)).statusCode).toBe(404);
  });

  it('forecasts: the org forecast is org-wide only; a manager gets their own department', async () => {
    expect((await get('employee', '/v1/forecasts')).statusCode).toBe(403);
    expect((await get('manager', '/v1/forecasts')).statusCode).toBe(403);
    expect(
      (await get('manager', `/v1/forecasts?scope=department&department_id=${a.departments.child}`))
        .statusCode,
    ).toBe(200);
    expect(
      (await get('manager', `/v1/forecasts?scope=department&department_id=${a.departments.other}`))
        .statusCode,
    ).toBe(404);
    expect((await get('owner', '/v1/forecasts')).statusCode).toBe(200);
  });

  it('performance, scorecards: a manager sees only their subtree', async () => {
    const scores = await get('manager', '/v1/performance/scores');
    expect(scores.statusCode).toBe(200);
    const ids = (scores.json().users as Array<{ user_id: string }>).map((u) => u.user_id);
    expect(ids.every((id) => [a.users.manager, a.users.employee, a.users.peer].includes(id))).toBe(true);
    const teams = await get('manager', '/v1/performance/teams');
    const teamIds = (teams.json().teams as Array<{ department_id: string }>).map((t) => t.department_id);
    expect(teamIds.sort()).toEqual([a.departments.root, a.departments.child].sort());
    for (const type of ['employee', 'team', 'department']) {
      const cards = await get('manager', `/v1/scorecards?subject_type=${type}`);
      expect(cards.statusCode).toBe(200);
      const subjects = (cards.json().scorecards as Array<{ subject_id: string }>).map((c) => c.subject_id);
      const allowed = [
        a.users.manager,
        a.users.employee,
        a.users.peer,
        a.departments.root,
        a.departments.child,
      ];
      expect(subjects.every((s) => allowed.includes(s))).toBe(true);
    }
    expect(
      (await get('manager', `/v1/scorecards?subject_type=employee&subject_id=${a.users.outsider}`))
        .statusCode,
    ).toBe(404);
  });

  it('budgets tree, shadow AI and report schedules are org-wide: managers get 403', async () => {
    for (const url of ['/v1/departments/tree', '/v1/shadow-ai', '/v1/reports']) {
      expect((await get('manager', url)).statusCode, url).toBe(403);
      expect((await get('owner', url)).statusCode, url).toBe(200);
    }
  });

  it('the owner lists departments with a session (the Performance page select)', async () => {
    const res = await get('owner', '/v1/departments?limit=200');
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toHaveLength(3);
  });

  it('authenticates before parsing: anonymous gets 401 for a 10 MB invalid body', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/budgets',
      headers: { 'content-type': 'application/json' },
      payload: `{"x":"${'a'.repeat(10 * 1024 * 1024 - 16)}"}`,
    });
    expect(res.statusCode).toBe(401);
  });
});

describe('route walk', () => {
  it('every route declares its auth and the live answer matches the declaration for every caller', async () => {
    const routes = declaredRoutesOf(app).filter((r) => r.method !== 'HEAD');
    expect(routes.length).toBeGreaterThan(140);
    const failures: string[] = [];
    for (const caller of callers) {
      for (const route of routes) {
        // The Slack receiver and GitHub webhook refuse unsigned requests; they have their own tests.
        if (route.auth.kind === 'public' && caller.principal) continue;
        const want = expected(route.auth, caller);
        // Signing out would end the session the next routes use; SSE streams never end for an allowed caller.
        if (route.url === '/auth/sign-out' || (want === 'ok' && /stream/.test(route.url))) continue;
        const options: InjectOptions = {
          method: route.method as InjectOptions['method'],
          url: fill(route.url),
          headers: caller.headers,
        };
        if (['POST', 'PUT', 'PATCH'].includes(route.method)) {
          // Invalid on purpose: an unauthenticated caller must get 401 before any validation.
          options.payload = { not_a_field: 'x'.repeat(64) };
        }
        const res = await app.inject(options);
        const where = `${caller.name} ${route.method} ${route.url} → ${res.statusCode}`;
        if (res.statusCode >= 500) failures.push(`${where}: 5xx ${res.body.slice(0, 200)}`);
        else if (want === 401 && res.statusCode !== 401) failures.push(`${where}: expected 401`);
        else if (want === 403 && res.statusCode !== 403 && res.statusCode !== 401) {
          failures.push(`${where}: expected 403`);
        } else if (want === 'ok' && res.statusCode === 401 && route.auth.kind !== 'public') {
          // (Public routes — Slack/GitHub signatures, OIDC — refuse with their own 401s.)
          failures.push(`${where}: authenticated but 401`);
        }
        // The id the caller sent may be echoed in a 404 message; anything else of theirs is a leak.
        const body = res.body.replaceAll(a.users.outsider, '');
        const leaked = caller.forbidden.filter((s) => body.includes(s));
        if (leaked.length > 0) failures.push(`${where}: leaked ${leaked.join(', ')}`);
      }
    }
    expect(failures).toEqual([]);
  }, 600_000);

  it('an undeclared route refuses to register', async () => {
    const fresh = await buildHttpApp(ctx);
    expect(() => fresh.get('/v1/undeclared-walk-test', async () => ({}))).toThrow(/declares no auth/);
    await fresh.close();
  });
});
