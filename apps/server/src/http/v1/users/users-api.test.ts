import type { TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../../context.js';
import { bearer, createKey, createTestContext, type SeededOrg, seedOrg } from '../../../usage/testing.js';
import { buildHttpApp, type HttpApp } from '../../app.js';

let ctx: AppContext;
let handle: TestDatabase;
let app: HttpApp;
let a: SeededOrg;
let b: SeededOrg;
let writeKey: string;
let readKey: string;

beforeAll(async () => {
  ({ ctx, handle } = await createTestContext());
  a = await seedOrg(ctx, 'people-a');
  b = await seedOrg(ctx, 'people-b');
  writeKey = await createKey(ctx, a.orgId, ['read', 'write']);
  readKey = await createKey(ctx, a.orgId, ['read']);
  app = await buildHttpApp(ctx);
});
afterAll(async () => {
  await app.close();
  await handle.drop();
});

function call(method: 'GET' | 'POST', url: string, body?: unknown, key: string | null = writeKey) {
  return app.inject({
    method,
    url,
    ...(key ? { headers: bearer(key) } : {}),
    ...(body === undefined ? {} : { payload: body as object }),
  });
}

async function auditActions(orgId: string) {
  return ctx.db.withTenant(orgId, ({ db }) =>
    db.selectFrom('audit_log').select(['action', 'actor_type', 'target_id']).orderBy('seq').execute(),
  );
}

describe('departments', () => {
  it('creates (audited), gets and lists them', async () => {
    const created = await call('POST', '/v1/departments', {
      name: 'Research',
      parent_id: a.departments.engineering,
    });
    expect(created.statusCode).toBe(201);
    const dept = created.json();
    expect(dept).toMatchObject({ name: 'Research', parent_id: a.departments.engineering });
    expect((await call('GET', `/v1/departments/${dept.id}`)).json()).toEqual(dept);
    const audit = await auditActions(a.orgId);
    expect(audit.at(-1)).toMatchObject({
      action: 'department.create',
      actor_type: 'api_key',
      target_id: dept.id,
    });
  });

  it('paginates with a cursor until next_cursor is null', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await call('GET', `/v1/departments?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.statusCode).toBe(200);
      const body = page.json();
      expect(body.data.length).toBeLessThanOrEqual(2);
      seen.push(...body.data.map((d: { id: string }) => d.id));
      cursor = body.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(5); // 4 seeded + Research
    expect(new Set(seen).size).toBe(5);
    expect((await call('GET', '/v1/departments?cursor=bogus')).json().error.code).toBe('validation_failed');
  });

  it('refuses a bad body with 400 and a foreign parent with 404', async () => {
    expect((await call('POST', '/v1/departments', { name: '' })).statusCode).toBe(400);
    const foreign = await call('POST', '/v1/departments', { name: 'X', parent_id: b.departments.sales });
    expect(foreign.statusCode).toBe(404);
  });
});

describe('users', () => {
  it('creates (audited), gets and lists them', async () => {
    const created = await call('POST', '/v1/users', {
      email: 'erin@people-a.test',
      name: 'Erin',
      department_id: a.departments.sales,
      manager_id: a.users.dave,
      role: 'manager',
    });
    expect(created.statusCode).toBe(201);
    const user = created.json();
    expect(user).toMatchObject({
      email: 'erin@people-a.test',
      department_id: a.departments.sales,
      role: 'manager',
    });
    expect((await call('GET', `/v1/users/${user.id}`)).json()).toEqual(user);
    expect((await auditActions(a.orgId)).at(-1)).toMatchObject({ action: 'user.create', target_id: user.id });
    const page = (await call('GET', '/v1/users?limit=500')).json();
    expect(page.next_cursor).toBeNull();
    expect(page.data.map((u: { email: string }) => u.email)).toContain('erin@people-a.test');
    expect(page.data.every((u: { email: string }) => u.email.endsWith('@people-a.test'))).toBe(true);
  });

  it('refuses a taken email (409), a bad body (400), foreign department or manager (404)', async () => {
    expect((await call('POST', '/v1/users', { email: 'ALICE@people-a.test', name: 'A' })).statusCode).toBe(
      409,
    );
    expect((await call('POST', '/v1/users', { email: 'nope', name: 'A' })).json().error.code).toBe(
      'validation_failed',
    );
    expect(
      (await call('POST', '/v1/users', { email: 'o@x.test', name: 'O', role: 'owner' })).statusCode,
    ).toBe(400);
    const foreignDept = await call('POST', '/v1/users', {
      email: 'f@x.test',
      name: 'F',
      department_id: b.departments.sales,
    });
    expect(foreignDept.statusCode).toBe(404);
    const foreignManager = await call('POST', '/v1/users', {
      email: 'g@x.test',
      name: 'G',
      manager_id: b.users.dave,
    });
    expect(foreignManager.statusCode).toBe(404);
  });
});

describe('os-user mappings', () => {
  it('maps org-wide or per device; foreign users and devices are 404', async () => {
    const orgWide = await call('POST', '/v1/os-user-mappings', { os_user: 'BOB', user_id: a.users.bob });
    expect(orgWide.statusCode).toBe(200);
    expect(orgWide.json()).toMatchObject({ os_user: 'bob', user_id: a.users.bob, device_id: null });
    const onDevice = await call('POST', '/v1/os-user-mappings', {
      os_user: 'bob',
      user_id: a.users.dave,
      device_id: a.deviceId,
    });
    expect(onDevice.json()).toMatchObject({ device_id: a.deviceId, user_id: a.users.dave });
    // Setting it again replaces the user of the same mapping.
    const again = await call('POST', '/v1/os-user-mappings', { os_user: 'Bob', user_id: a.users.carol });
    expect(again.json()).toMatchObject({ id: orgWide.json().id, user_id: a.users.carol });
    expect(
      (await call('POST', '/v1/os-user-mappings', { os_user: 'x', user_id: b.users.bob })).statusCode,
    ).toBe(404);
    const foreignDevice = await call('POST', '/v1/os-user-mappings', {
      os_user: 'x',
      user_id: a.users.bob,
      device_id: b.deviceId,
    });
    expect(foreignDevice.statusCode).toBe(404);
  });
});

describe('tenancy and auth', () => {
  it.each([
    ['user', () => `/v1/users/${b.users.alice}`],
    ['department', () => `/v1/departments/${b.departments.engineering}`],
    ['malformed user id', () => '/v1/users/123'],
    ['malformed department id', () => '/v1/departments/abc'],
  ])("answers 404 for another org's %s", async (_name, url) => {
    const response = await call('GET', url());
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('not_found');
  });

  it.each([
    ['GET', '/v1/users'],
    ['GET', '/v1/departments'],
    ['GET', '/v1/users/00000000-0000-4000-8000-000000000000'],
    ['GET', '/v1/departments/00000000-0000-4000-8000-000000000000'],
    ['POST', '/v1/users'],
    ['POST', '/v1/departments'],
    ['POST', '/v1/os-user-mappings'],
  ] as const)('%s %s: 401 without a key', async (method, url) => {
    const response = await call(method, url, method === 'POST' ? {} : undefined, null);
    expect(response.statusCode).toBe(401);
  });

  it.each([
    ['/v1/users', { email: 'z@people-a.test', name: 'Z' }],
    ['/v1/departments', { name: 'Z' }],
    ['/v1/os-user-mappings', { os_user: 'z', user_id: '00000000-0000-4000-8000-000000000000' }],
  ])('POST %s: 403 with a read-only key', async (url, body) => {
    const response = await call('POST', url, body, readKey);
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('forbidden');
  });

  it('403 for reads with an ingest-only key', async () => {
    const ingestKey = await createKey(ctx, a.orgId, ['ingest']);
    for (const url of ['/v1/users', '/v1/departments', `/v1/users/${a.users.bob}`]) {
      expect((await call('GET', url, undefined, ingestKey)).statusCode).toBe(403);
    }
  });
});
