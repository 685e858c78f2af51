import type { TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAuthTestContext,
  injectAs,
  seedAuthOrg,
  signInForTest,
  type TestSession,
  type TestUsers,
} from '../../../auth/testing.js';
import type { AppContext } from '../../../context.js';
import { buildHttpApp, type HttpApp } from '../../app.js';

let ctx: AppContext;
let handle: TestDatabase;
let app: HttpApp;
let a: TestUsers;
let b: TestUsers;
let owner: TestSession;
let manager: TestSession;

beforeAll(async () => {
  ({ ctx, handle } = await createAuthTestContext());
  a = await seedAuthOrg(ctx, 'edit-a');
  b = await seedAuthOrg(ctx, 'edit-b');
  app = await buildHttpApp(ctx);
  owner = await signInForTest(app, 'owner@edit-a.test');
  manager = await signInForTest(app, 'manager@edit-a.test');
});
afterAll(async () => {
  await app.close();
  await handle.drop();
});

async function lastAudit(action: string) {
  return ctx.db.withTenant(a.orgId, ({ db }) =>
    db
      .selectFrom('audit_log')
      .select(['action', 'actor_type', 'actor_id', 'target_id', 'details'])
      .where('action', '=', action)
      .orderBy('seq', 'desc')
      .executeTakeFirst(),
  );
}

describe('PATCH /v1/users/{id}', () => {
  it('moves a user, changes their manager and role from a dashboard session (audited)', async () => {
    const res = await injectAs(app, owner, 'PATCH', `/v1/users/${a.users.employee}`, {
      name: 'Erin Employee',
      department_id: a.departments.other,
      manager_id: a.users.manager,
      role: 'manager',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: a.users.employee,
      name: 'Erin Employee',
      department_id: a.departments.other,
      manager_id: a.users.manager,
      role: 'manager',
    });
    const listed = await injectAs(app, owner, 'GET', '/v1/users?limit=500');
    expect(listed.json().data.find((u: { id: string }) => u.id === a.users.employee)).toMatchObject({
      department_id: a.departments.other,
    });
    expect(await lastAudit('user.update')).toMatchObject({
      actor_type: 'user',
      actor_id: a.ownerId,
      target_id: a.users.employee,
      details: { previous: { department_id: a.departments.child, manager_id: null, role: 'employee' } },
    });
  });

  it('refuses loops, the owner’s role, bad bodies (4xx, never 5xx)', async () => {
    // employee → manager, so manager reporting to employee would loop.
    const loop = await injectAs(app, owner, 'PATCH', `/v1/users/${a.users.manager}`, {
      manager_id: a.users.employee,
    });
    expect(loop.statusCode).toBe(400);
    expect(loop.json().error.message).toMatch(/own \(indirect\) manager/);
    const self = await injectAs(app, owner, 'PATCH', `/v1/users/${a.users.peer}`, {
      manager_id: a.users.peer,
    });
    expect(self.statusCode).toBe(400);
    expect(
      (await injectAs(app, owner, 'PATCH', `/v1/users/${a.ownerId}`, { role: 'employee' })).statusCode,
    ).toBe(400);
    for (const body of [{}, { name: '' }, { role: 'owner' }, { name: 'x'.repeat(201) }, { extra: 1 }]) {
      expect(
        (await injectAs(app, owner, 'PATCH', `/v1/users/${a.users.peer}`, body)).statusCode,
        JSON.stringify(body),
      ).toBe(400);
    }
  });

  it('answers 404 for another org’s user, department or manager, and 403 for a manager', async () => {
    expect(
      (await injectAs(app, owner, 'PATCH', `/v1/users/${b.users.employee}`, { name: 'x' })).statusCode,
    ).toBe(404);
    expect((await injectAs(app, owner, 'PATCH', '/v1/users/not-a-uuid', { name: 'x' })).statusCode).toBe(404);
    expect(
      (
        await injectAs(app, owner, 'PATCH', `/v1/users/${a.users.peer}`, {
          department_id: b.departments.root,
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (await injectAs(app, owner, 'PATCH', `/v1/users/${a.users.peer}`, { manager_id: b.users.manager }))
        .statusCode,
    ).toBe(404);
    expect(
      (await injectAs(app, manager, 'PATCH', `/v1/users/${a.users.peer}`, { name: 'x' })).statusCode,
    ).toBe(403);
  });
});

describe('departments and OS-user mappings from a dashboard session', () => {
  it('creates a department (it appears in the live tree at once), maps an OS account, lists mappings', async () => {
    const created = await injectAs(app, owner, 'POST', '/v1/departments', {
      name: 'Research',
      parent_id: a.departments.root,
    });
    expect(created.statusCode).toBe(201);
    const tree = await injectAs(app, owner, 'GET', '/v1/departments/tree');
    expect(JSON.stringify(tree.json())).toContain('"name":"Research"');
    expect(await lastAudit('department.create')).toMatchObject({ actor_type: 'user', actor_id: a.ownerId });
    expect(
      (await injectAs(app, owner, 'POST', '/v1/departments', { name: 'X', parent_id: b.departments.root }))
        .statusCode,
    ).toBe(404);
    expect((await injectAs(app, manager, 'POST', '/v1/departments', { name: 'X' })).statusCode).toBe(403);

    const mapped = await injectAs(app, owner, 'POST', '/v1/os-user-mappings', {
      os_user: 'Build-Agent',
      user_id: a.users.peer,
    });
    expect(mapped.statusCode).toBe(200);
    const list = await injectAs(app, owner, 'GET', '/v1/os-user-mappings');
    expect(list.json().data).toEqual([
      expect.objectContaining({ os_user: 'build-agent', user_id: a.users.peer }),
    ]);
    expect(
      (await injectAs(app, owner, 'POST', '/v1/os-user-mappings', { os_user: 'x', user_id: b.users.peer }))
        .statusCode,
    ).toBe(404);
    const other = await signInForTest(app, 'owner@edit-b.test');
    expect((await injectAs(app, other, 'GET', '/v1/os-user-mappings')).json().data).toEqual([]);
  });
});
