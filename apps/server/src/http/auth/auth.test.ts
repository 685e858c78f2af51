import type { TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../api-keys/service.js';
import { createAuthTestContext, seedAuthOrg, type TestUsers } from '../../auth/testing.js';
import type { AppContext } from '../../context.js';
import { buildHttpApp, type HttpApp } from '../app.js';

let ctx: AppContext;
let handle: TestDatabase;
let app: HttpApp;
let a: TestUsers;
let b: TestUsers;

beforeAll(async () => {
  ({ ctx, handle } = await createAuthTestContext());
  app = await buildHttpApp(ctx);
  a = await seedAuthOrg(ctx, 'auth-a');
  b = await seedAuthOrg(ctx, 'auth-b');
});
afterAll(async () => {
  await app.close();
  await handle.drop();
});

async function signIn(email: string, password: string, ip = '10.9.0.1') {
  const res = await app.inject({
    method: 'POST',
    url: '/auth/sign-in',
    payload: { email, password },
    remoteAddress: ip,
  });
  const setCookie = res.headers['set-cookie'];
  const cookie = (Array.isArray(setCookie) ? setCookie[0] : setCookie)?.split(';')[0] ?? '';
  return { res, cookie, csrf: res.json().csrf_token as string | undefined, setCookie };
}

describe('password sign-in', () => {
  it('sets an HttpOnly SameSite=Lax session cookie and /v1/me describes the user', async () => {
    const { res, cookie, csrf, setCookie } = await signIn('owner@auth-a.test', 'correct horse');
    expect(res.statusCode).toBe(200);
    expect(String(setCookie)).toMatch(/HttpOnly; SameSite=Lax/);
    expect(String(setCookie)).not.toMatch(/Secure/);
    const me = await app.inject({ url: '/v1/me', headers: { cookie } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      user: { email: 'owner@auth-a.test', role: 'owner' },
      org: { id: a.orgId },
      principal: { kind: 'user', reach: 'org' },
      csrf_token: csrf,
    });
    expect(me.json().permissions).toContain('devices:revoke');
  });

  it('marks the cookie Secure when served over https', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/auth/sign-in',
      headers: { 'x-forwarded-proto': 'https' },
      payload: { email: 'auditor@auth-a.test', password: 'correct horse' },
    });
    expect(String(res.headers['set-cookie'])).toMatch(/; Secure/);
  });

  it("refuses a wrong password with 401 and then spaces the account's attempts, from any IP", async () => {
    const wrong = await signIn('peer@auth-a.test', 'nope', '10.9.0.2');
    expect(wrong.res.statusCode).toBe(401);
    expect(wrong.res.json().error.code).toBe('unauthorized');
    for (let i = 0; i < 5; i++) await signIn('peer@auth-a.test', 'nope', '10.9.0.2');
    const limited = await signIn('peer@auth-a.test', 'correct horse', '10.9.0.2');
    expect(limited.res.statusCode).toBe(429);
    // The account is throttled wherever the guesses come from (sign-in-throttle.test.ts has more).
    expect((await signIn('peer@auth-a.test', 'correct horse', '10.9.0.3')).res.statusCode).toBe(429);
  });

  it('rejects malformed input with 400, and no cookie means 401', async () => {
    const bad = await app.inject({ method: 'POST', url: '/auth/sign-in', payload: { email: 'x' } });
    expect(bad.statusCode).toBe(400);
    expect((await app.inject({ url: '/v1/me' })).statusCode).toBe(401);
    expect(
      (await app.inject({ url: '/v1/me', headers: { cookie: 'toktra_session=forged' } })).statusCode,
    ).toBe(401);
  });

  it('requires the CSRF header for unsafe cookie requests, then signs out', async () => {
    const { cookie, csrf } = await signIn('manager@auth-a.test', 'correct horse');
    const noCsrf = await app.inject({ method: 'POST', url: '/auth/sign-out', headers: { cookie } });
    expect(noCsrf.statusCode).toBe(403);
    const ok = await app.inject({
      method: 'POST',
      url: '/auth/sign-out',
      headers: { cookie, 'x-csrf-token': csrf ?? '' },
    });
    expect(ok.statusCode).toBe(204);
    expect((await app.inject({ url: '/v1/me', headers: { cookie } })).statusCode).toBe(401);
  });
});

describe('roles on the API', () => {
  it('keeps employees out of admin endpoints and shows them their own devices only', async () => {
    const { cookie } = await signIn('employee@auth-a.test', 'correct horse');
    const me = (await app.inject({ url: '/v1/me', headers: { cookie } })).json();
    expect(me.principal.reach).toBe('self');
    expect(me.permissions).not.toContain('dashboard:view');
    expect((await app.inject({ url: '/v1/overview', headers: { cookie } })).statusCode).toBe(403);
    const devices = await app.inject({ url: '/v1/me/devices', headers: { cookie } });
    expect(devices.statusCode).toBe(200);
    expect(devices.json().data).toEqual([]);
  });

  it('gives managers their subtree', async () => {
    const { cookie } = await signIn('manager@auth-a.test', 'correct horse');
    const me = (await app.inject({ url: '/v1/me', headers: { cookie } })).json();
    expect(me.principal.department_ids).toEqual([a.departments.root, a.departments.child]);
    expect((await app.inject({ url: '/v1/overview', headers: { cookie } })).statusCode).toBe(200);
  });

  it('accepts an API key for the same endpoints, scoped to its org', async () => {
    const { apiKey } = await createApiKey(
      ctx.db,
      b.orgId,
      { type: 'cli', id: null },
      { name: 't', scopes: ['read'] },
    );
    const me = await app.inject({ url: '/v1/me', headers: { authorization: `Bearer ${apiKey}` } });
    expect(me.json()).toMatchObject({ user: null, org: { id: b.orgId }, principal: { kind: 'api_key' } });
    const overview = await app.inject({
      url: '/v1/overview',
      headers: { authorization: `Bearer ${apiKey}` },
    });
    expect(overview.statusCode).toBe(200);
    expect(overview.json().trend).toHaveLength(30);
  });

  it('never lets one org see another: a session of org A reads org A only', async () => {
    const { cookie } = await signIn('owner@auth-b.test', 'correct horse');
    const me = (await app.inject({ url: '/v1/me', headers: { cookie } })).json();
    expect(me.org.id).toBe(b.orgId);
    expect(me.org.id).not.toBe(a.orgId);
  });
});

describe('OIDC configuration', () => {
  it('lets owners set the issuer (secret write-only, CSRF-checked) and keeps others out', async () => {
    const { cookie, csrf } = await signIn('owner@auth-a.test', 'correct horse', '10.9.1.1');
    const body = {
      issuer_url: 'https://login.example.com/tenant',
      client_id: 'toktra',
      client_secret: 'super-secret',
      email_domains: ['Auth-A.test'],
    };
    const noCsrf = await app.inject({
      method: 'PUT',
      url: '/auth/oidc/config',
      headers: { cookie },
      payload: body,
    });
    expect(noCsrf.statusCode).toBe(403);
    const put = await app.inject({
      method: 'PUT',
      url: '/auth/oidc/config',
      headers: { cookie, 'x-csrf-token': csrf ?? '' },
      payload: body,
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toEqual({
      issuer_url: body.issuer_url,
      client_id: 'toktra',
      email_domains: ['auth-a.test'],
      default_role: 'employee',
      has_client_secret: true,
    });
    expect(put.body).not.toContain('super-secret');
    const bad = await app.inject({
      method: 'PUT',
      url: '/auth/oidc/config',
      headers: { cookie, 'x-csrf-token': csrf ?? '' },
      payload: { ...body, issuer_url: 'not a url' },
    });
    expect(bad.statusCode).toBe(400);
    const auditor = await signIn('auditor@auth-a.test', 'correct horse', '10.9.1.2');
    expect(
      (await app.inject({ url: '/auth/oidc/config', headers: { cookie: auditor.cookie } })).statusCode,
    ).toBe(403);
    // Org B has none of it.
    const other = await signIn('owner@auth-b.test', 'correct horse', '10.9.1.3');
    const view = await app.inject({ url: '/auth/oidc/config', headers: { cookie: other.cookie } });
    expect(view.json()).toBeNull();
  });
});

describe('cross-tenant: a session of org B never reaches org A', () => {
  it('answers 404 for org A ids and lists only org B people', async () => {
    const { cookie } = await signIn('owner@auth-b.test', 'correct horse', '10.9.2.1');
    const usage = await app.inject({ url: `/v1/usage?user_id=${a.users.employee}`, headers: { cookie } });
    expect(usage.statusCode).toBe(404);
    const dept = await app.inject({
      url: `/v1/usage?department_id=${a.departments.root}`,
      headers: { cookie },
    });
    expect(dept.statusCode).toBe(404);
    const directory = (await app.inject({ url: '/v1/overview/directory', headers: { cookie } })).json();
    expect(directory.users.map((u: { email: string }) => u.email.split('@')[1])).toEqual(
      directory.users.map(() => 'auth-b.test'),
    );
  });

  it('confines managers to their subtree on /v1/usage and the directory', async () => {
    const { cookie } = await signIn('manager@auth-a.test', 'correct horse', '10.9.2.2');
    expect(
      (await app.inject({ url: `/v1/usage?department_id=${a.departments.other}`, headers: { cookie } }))
        .statusCode,
    ).toBe(404);
    expect(
      (await app.inject({ url: `/v1/usage?department_id=${a.departments.child}`, headers: { cookie } }))
        .statusCode,
    ).toBe(200);
    const directory = (await app.inject({ url: '/v1/overview/directory', headers: { cookie } })).json();
    const emails = directory.users.map((u: { email: string }) => u.email).sort();
    expect(emails).toEqual(['employee@auth-a.test', 'manager@auth-a.test', 'peer@auth-a.test']);
  });

  it('forces employees onto their own usage', async () => {
    const { cookie } = await signIn('employee@auth-a.test', 'correct horse', '10.9.2.3');
    expect(
      (await app.inject({ url: `/v1/usage?user_id=${a.users.peer}`, headers: { cookie } })).statusCode,
    ).toBe(404);
    expect(
      (await app.inject({ url: `/v1/usage?user_id=${a.users.employee}`, headers: { cookie } })).statusCode,
    ).toBe(200);
    expect((await app.inject({ url: '/v1/devices', headers: { cookie } })).statusCode).toBe(403);
  });
});

describe('dashboard serving', () => {
  it('answers unknown API paths with a JSON 404, not the app', async () => {
    const res = await app.inject({ url: '/v1/no-such-thing' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
  });
});
