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
import type { AppContext } from '../../../context.js';
import { privacyForDevice } from '../../../privacy/device-privacy.js';
import { buildHttpApp, type HttpApp } from '../../app.js';

let ctx: AppContext;
let handle: TestDatabase;
let app: HttpApp;
let a: TestUsers;
let b: TestUsers;

beforeAll(async () => {
  ({ ctx, handle } = await createAuthTestContext());
  app = await buildHttpApp(ctx);
  a = await seedAuthOrg(ctx, 'privacy-a');
  b = await seedAuthOrg(ctx, 'privacy-b');
});
afterAll(async () => {
  await app.close();
  await handle.drop();
});

const signIn = (email: string) => signInForTest(app, email);
const call = (who: TestSession | { bearer: string }, method: string, url: string, payload?: unknown) =>
  injectAs(app, who, method, url, payload);

const lunch = {
  time_zone: 'Europe/Berlin',
  windows: [{ days: [1, 2, 3, 4, 5], start: '12:17', end: '13:43' }],
};

describe('/v1/me/privacy (the employee’s own Privacy Hours)', () => {
  it('starts off, then saves a weekly schedule in the employee’s zone, pauses and resumes', async () => {
    const me = await signIn('employee@privacy-a.test');
    const empty = await call(me, 'GET', '/v1/me/privacy');
    expect(empty.statusCode).toBe(200);
    expect(empty.json()).toMatchObject({
      windows: [],
      state: 'off',
      paused_indefinitely: false,
      paused_until: null,
    });

    const saved = await call(me, 'PUT', '/v1/me/privacy/schedule', lunch);
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toMatchObject({ time_zone: 'Europe/Berlin', windows: lunch.windows });
    expect(['configured', 'active']).toContain(saved.json().state);

    const paused = await call(me, 'POST', '/v1/me/privacy/pause', { minutes: 30 });
    expect(paused.statusCode).toBe(200);
    expect(paused.json().state).toBe('active');
    const until = Date.parse(paused.json().paused_until);
    expect(until - Date.now()).toBeGreaterThan(29 * 60_000);
    expect(until - Date.now()).toBeLessThanOrEqual(30 * 60_000);
    // A schedule edit keeps the pause; an indefinite pause replaces a timed one.
    expect((await call(me, 'PUT', '/v1/me/privacy/schedule', lunch)).json().paused_until).not.toBeNull();
    const forever = await call(me, 'POST', '/v1/me/privacy/pause', {});
    expect(forever.json()).toMatchObject({ paused_indefinitely: true, paused_until: null, state: 'active' });

    const resumed = await call(me, 'DELETE', '/v1/me/privacy/pause');
    expect(resumed.statusCode).toBe(200);
    expect(resumed.json()).toMatchObject({
      paused_indefinitely: false,
      paused_until: null,
      windows: lunch.windows,
    });
    expect((await call(me, 'GET', '/v1/me/privacy')).json().windows).toEqual(lunch.windows);
  });

  it('is per person: a colleague, a manager and the owner each see only their own', async () => {
    for (const who of ['peer', 'manager', 'owner']) {
      const s = await signIn(`${who}@privacy-a.test`);
      const own = (await call(s, 'GET', '/v1/me/privacy')).json();
      expect(own.windows).toEqual([]);
      expect(JSON.stringify(own)).not.toContain('12:17');
    }
  });

  it('a foreign org’s employee sees only their own (empty) settings; the device lookup of a foreign device is 404', async () => {
    const foreign = await signIn('employee@privacy-b.test');
    const res = await call(foreign, 'GET', '/v1/me/privacy');
    expect(res.statusCode).toBe(200);
    expect(res.json().windows).toEqual([]);
    const deviceA = await ctx.db.withTenant(a.orgId, ({ db }) =>
      db
        .insertInto('devices')
        .values({ org_id: a.orgId, hostname: 'a-laptop', owner_user_id: a.users.employee })
        .returning('id')
        .executeTakeFirstOrThrow(),
    );
    await expect(privacyForDevice(ctx.db, b.orgId, deviceA.id, ['root'])).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('refuses API keys (even admin-scoped), missing CSRF and signed-out callers', async () => {
    const { apiKey: key } = await createApiKey(
      ctx.db,
      a.orgId,
      { type: 'system', id: null },
      {
        name: 'admin',
        scopes: ['read', 'write', 'admin'],
      },
    );
    for (const [method, url, payload] of [
      ['GET', '/v1/me/privacy', undefined],
      ['PUT', '/v1/me/privacy/schedule', lunch],
      ['POST', '/v1/me/privacy/pause', {}],
      ['DELETE', '/v1/me/privacy/pause', undefined],
    ] as const) {
      const res = await call({ bearer: key }, method, url, payload);
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
      expect((await app.inject({ method, url, ...(payload ? { payload } : {}) })).statusCode).toBe(401);
    }
    const me = await signIn('employee@privacy-a.test');
    const noCsrf = await app.inject({
      method: 'POST',
      url: '/v1/me/privacy/pause',
      headers: { cookie: me.cookie },
      payload: {},
    });
    expect(noCsrf.statusCode).toBe(403);
  });

  it('answers bad input with 400 in the one error shape and changes nothing', async () => {
    const me = await signIn('peer@privacy-a.test');
    await call(me, 'PUT', '/v1/me/privacy/schedule', {
      time_zone: 'UTC',
      windows: [{ start: '08:00', end: '09:00' }],
    });
    for (const [method, url, payload] of [
      ['PUT', '/v1/me/privacy/schedule', { time_zone: 'Mars/Olympus', windows: [] }],
      ['PUT', '/v1/me/privacy/schedule', { time_zone: 'UTC', windows: [{ start: '25:00', end: '26:00' }] }],
      ['PUT', '/v1/me/privacy/schedule', { time_zone: 'UTC', windows: [{ start: '10:00', end: '10:00' }] }],
      [
        'PUT',
        '/v1/me/privacy/schedule',
        { time_zone: 'UTC', windows: [{ days: [8], start: '10:00', end: '11:00' }] },
      ],
      ['PUT', '/v1/me/privacy/schedule', { windows: 'always' }],
      ['POST', '/v1/me/privacy/pause', { minutes: 0 }],
      ['POST', '/v1/me/privacy/pause', { minutes: 'soon' }],
    ] as const) {
      const res = await call(me, method, url, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    }
    const after = (await call(me, 'GET', '/v1/me/privacy')).json();
    expect(after).toMatchObject({ time_zone: 'UTC', windows: [{ days: [], start: '08:00', end: '09:00' }] });
    expect(after.paused_indefinitely).toBe(false);
  });
});

describe('what a device is told to enforce', () => {
  it('resolves each local account like ingest attribution: device mapping, org-wide mapping, then the owner', async () => {
    const { employee, peer, outsider } = a.users;
    const ids = await ctx.db.withTenant(a.orgId, async ({ db }) => {
      const device = await db
        .insertInto('devices')
        .values({ org_id: a.orgId, hostname: 'shared-box', owner_user_id: employee })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db
        .insertInto('os_user_mappings')
        .values([
          { org_id: a.orgId, device_id: null, os_user: 'pat', user_id: outsider },
          { org_id: a.orgId, device_id: device.id, os_user: 'pat', user_id: peer },
          { org_id: a.orgId, device_id: null, os_user: 'sam', user_id: outsider },
        ])
        .execute();
      return device;
    });
    const outsiderSession = await signIn('outsider@privacy-a.test');
    await call(outsiderSession, 'POST', '/v1/me/privacy/pause', {});
    const answer = await privacyForDevice(ctx.db, a.orgId, ids.id, ['PAT', 'sam', 'root']);
    expect(answer.default?.windows).toEqual(lunch.windows); // the owner (employee) from the first test
    expect(answer.os_users.root).toEqual(answer.default);
    expect(answer.os_users.sam).toMatchObject({ pausedUntil: 'indefinite' }); // org-wide → outsider
    expect(answer.os_users.pat).toMatchObject({ windows: [{ start: '08:00', end: '09:00' }] }); // device → peer
    expect(JSON.stringify(answer)).not.toMatch(/@|privacy-a/); // no emails, no ids of people
  });
});
