import type { TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, csrfTokenFor, SESSION_COOKIE } from '../../../auth/sessions.js';
import { createBudget } from '../../../budgets/service.js';
import { ADMIN } from '../../../budgets/testing.js';
import type { AppContext } from '../../../context.js';
import { extensionRequest, orgEnrollToken, PASSWORD, setPassword } from '../../../extension/testing.js';
import { pause, resume } from '../../../privacy/service.js';
import { createTestContext, type SeededOrg, seedOrg } from '../../../usage/testing.js';
import { buildHttpApp, type HttpApp } from '../../app.js';

let ctx: AppContext;
let handle: TestDatabase;
let app: HttpApp;
let a: SeededOrg;
let b: SeededOrg;
let token: string;
let adminCookie: { cookie: string; 'x-csrf-token': string };
let foreignAdminCookie: { cookie: string; 'x-csrf-token': string };

async function adminSession(org: SeededOrg) {
  const { token: secret } = await createSession(ctx.db, org.orgId, org.adminId, 'password');
  return { cookie: `${SESSION_COOKIE}=${secret}`, 'x-csrf-token': csrfTokenFor(secret) };
}

beforeAll(async () => {
  ({ ctx, handle } = await createTestContext());
  a = await seedOrg(ctx, 'ext-a');
  b = await seedOrg(ctx, 'ext-b');
  await setPassword(ctx, a.orgId, a.users.alice);
  app = await buildHttpApp(ctx);
  adminCookie = await adminSession(a);
  foreignAdminCookie = await adminSession(b);
  const res = await app.inject({
    method: 'POST',
    url: '/v1/extension/enroll',
    payload: { email: 'alice@ext-a.test', password: PASSWORD, browser_name: 'Chromium test' },
  });
  expect(res.statusCode).toBe(201);
  token = res.json().token;
});
afterAll(async () => {
  await app.close();
  await handle.drop();
});

const auth = (t = token) => ({ authorization: `Bearer ${t}` });
const postEvents = (events: unknown[], t = token) =>
  app.inject({ method: 'POST', url: '/v1/extension/events', headers: auth(t), payload: { events } });

describe('enrollment', () => {
  it('binds the token to the signed-in user and stores only its hash', async () => {
    expect(token).toMatch(/^tkext_/);
    const me = await app.inject({ method: 'GET', url: '/v1/extension/me', headers: auth() });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      org_id: a.orgId,
      user: { email: 'alice@ext-a.test' },
      enrolled_via: 'sign_in',
    });
    const stored = await ctx.db.withTenant(a.orgId, ({ db }) =>
      db.selectFrom('extension_browsers').select('token_hash').execute(),
    );
    expect(stored.map((r) => r.token_hash)).not.toContain(token);
  });

  it('refuses a wrong password, and enrolls by a managed policy org token', async () => {
    const wrong = await app.inject({
      method: 'POST',
      url: '/v1/extension/enroll',
      payload: { email: 'alice@ext-a.test', password: 'nope' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('unauthorized');
    const orgToken = await orgEnrollToken(ctx, a.orgId);
    const managed = await app.inject({
      method: 'POST',
      url: '/v1/extension/enroll',
      payload: { org_token: orgToken, user_email: 'BOB@ext-a.test' },
    });
    expect(managed.statusCode).toBe(201);
    expect(managed.json().user_id).toBe(a.users.bob);
    // The org token names the org: a user of another org is not found there.
    const foreign = await app.inject({
      method: 'POST',
      url: '/v1/extension/enroll',
      payload: { org_token: orgToken, user_email: 'bob@ext-b.test' },
    });
    expect(foreign.statusCode).toBe(404);
  });

  it('answers bad input with a 4xx JSON error', async () => {
    for (const payload of [
      {},
      { email: 'x@y.z' },
      { org_token: 'tkenr_x', user_email: 'a@b.c', url: 'https://x' },
    ]) {
      const res = await app.inject({ method: 'POST', url: '/v1/extension/enroll', payload });
      expect(res.statusCode, JSON.stringify(payload)).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expect(res.json().error.code).toBeTypeOf('string');
    }
    const noToken = await app.inject({ method: 'GET', url: '/v1/extension/preflight' });
    expect(noToken.statusCode).toBe(401);
    const badToken = await app.inject({
      method: 'GET',
      url: '/v1/extension/preflight',
      headers: auth('tkext_nope'),
    });
    expect(badToken.statusCode).toBe(401);
  });
});

describe('preflight', () => {
  it('answers allow with the model rules and a TTL', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/extension/preflight', headers: auth() });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ allow: true, code: 'no_budget', ttl_seconds: 10 });
    expect(body.model_rules.length).toBeGreaterThan(3);
    expect(body.exemption_url).toMatch(/\/portal#exemptions$/);
  });

  it('lets an extension origin through CORS and no web page', async () => {
    const origin = `chrome-extension://${'a'.repeat(32)}`;
    const pre = await app.inject({ method: 'OPTIONS', url: '/v1/extension/preflight', headers: { origin } });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(origin);
    expect(pre.headers['access-control-allow-headers']).toContain('authorization');
    const page = await app.inject({
      method: 'OPTIONS',
      url: '/v1/extension/preflight',
      headers: { origin: 'https://evil.example' },
    });
    expect(page.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('POST /v1/extension/events', () => {
  it('stores metadata once and counts it under source extension', async () => {
    const e = extensionRequest();
    const first = await postEvents([e]);
    expect(first.json()).toEqual({ accepted: 1, duplicates: 0, enriched: 0, rejected: [] });
    expect((await postEvents([e])).json()).toMatchObject({ accepted: 0, duplicates: 1 });
    const rows = await ctx.db.withTenant(a.orgId, ({ db }) =>
      db
        .selectFrom('events')
        .select(['source', 'model', 'user_id', 'provider'])
        .where('id', '=', e.id)
        .execute(),
    );
    expect(rows).toEqual([
      { source: 'extension', model: 'gpt-4o-mini', user_id: a.users.alice, provider: 'openai' },
    ]);
    const me = await app.inject({ method: 'GET', url: '/v1/extension/me', headers: auth() });
    expect(me.json().last_sync_at).not.toBeNull();
  });

  it('refuses non-AI hosts and any field beyond the metadata (no URL, no body)', async () => {
    const res = await postEvents([
      extensionRequest({ host: 'news.example.com' }),
      extensionRequest({ url: 'https://api.openai.com/v1/chat/completions?q=secret' }),
      extensionRequest({ body: '{"messages":[]}' }),
      extensionRequest({ path_class: 'secret-path' }),
      'not an object',
    ]);
    expect(res.statusCode).toBe(200);
    const codes = res.json().rejected.map((r: { code: string }) => r.code);
    expect(codes).toEqual([
      'unknown_host',
      'invalid_event',
      'invalid_event',
      'invalid_event',
      'invalid_event',
    ]);
    expect(res.json().accepted).toBe(0);
  });

  it("refuses requests from the user's Privacy Hours, and tells the extension its schedule", async () => {
    await pause(ctx.db, a.orgId, a.users.alice, 30);
    try {
      const res = await postEvents([extensionRequest({ started_at: new Date().toISOString() })]);
      expect(res.json()).toMatchObject({ accepted: 0, rejected: [{ index: 0, code: 'privacy_hours' }] });
      const answer = await app.inject({ method: 'GET', url: '/v1/extension/preflight', headers: auth() });
      expect(answer.json().privacy.paused_until).not.toBeNull();
    } finally {
      await resume(ctx.db, a.orgId, a.users.alice);
    }
  });

  it('answers a malformed batch with 400', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/extension/events',
      headers: auth(),
      payload: { events: 'nope' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('validation_failed');
  });
});

describe('POST /v1/extension/exemptions', () => {
  it('asks for the browser user only, and answers 404 for a foreign budget, 400 for a bad one', async () => {
    const mine = await createBudget(ctx, a.orgId, ADMIN, {
      department_id: a.departments.backend,
      limit_tokens: 10,
      cap: 'hard',
    });
    const theirs = await createBudget(ctx, b.orgId, ADMIN, { limit_tokens: 10, cap: 'hard' });
    const ask = (budget_id: unknown) =>
      app.inject({
        method: 'POST',
        url: '/v1/extension/exemptions',
        headers: auth(),
        payload: { budget_id },
      });
    const ok = await ask(mine.id);
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ user_id: a.users.alice, status: 'requested' });
    expect((await ask(theirs.id)).statusCode).toBe(404);
    const bad = await ask('nope');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('validation_failed');
  });
});

describe('OpenAPI', () => {
  it('documents the extension routes', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/v1/openapi.json' })).json();
    for (const path of [
      '/v1/extension/enroll',
      '/v1/extension/me',
      '/v1/extension/preflight',
      '/v1/extension/events',
      '/v1/extension/exemptions',
      '/v1/extension/browsers',
      '/v1/extension/browsers/{id}/revoke',
    ]) {
      expect(Object.keys(doc.paths), path).toContain(path);
    }
  });
});

describe('enrolled browsers (admin)', () => {
  it('lists and revokes; the revoked token stops working at once', async () => {
    const enrolled = await app.inject({
      method: 'POST',
      url: '/v1/extension/enroll',
      payload: { email: 'alice@ext-a.test', password: PASSWORD, browser_name: 'to revoke' },
    });
    const { browser_id, token: doomed } = enrolled.json();
    const list = await app.inject({ method: 'GET', url: '/v1/extension/browsers', headers: adminCookie });
    expect(list.statusCode).toBe(200);
    expect(list.json().data.map((b: { id: string }) => b.id)).toContain(browser_id);
    const revoke = await app.inject({
      method: 'POST',
      url: `/v1/extension/browsers/${browser_id}/revoke`,
      headers: adminCookie,
    });
    expect(revoke.statusCode).toBe(200);
    expect(revoke.json().revoked_at).not.toBeNull();
    const after = await app.inject({ method: 'GET', url: '/v1/extension/preflight', headers: auth(doomed) });
    expect(after.statusCode).toBe(401);
  });

  it("answers 404 for another org's browser and hides it from that org's list", async () => {
    const mine = await app.inject({ method: 'GET', url: '/v1/extension/browsers', headers: adminCookie });
    const id = mine.json().data[0].id;
    const foreign = await app.inject({
      method: 'POST',
      url: `/v1/extension/browsers/${id}/revoke`,
      headers: foreignAdminCookie,
    });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error.code).toBe('not_found');
    const theirs = await app.inject({
      method: 'GET',
      url: '/v1/extension/browsers',
      headers: foreignAdminCookie,
    });
    expect(theirs.json().data).toEqual([]);
    const bad = await app.inject({
      method: 'POST',
      url: '/v1/extension/browsers/not-an-id/revoke',
      headers: adminCookie,
    });
    expect(bad.statusCode).toBe(404);
  });

  it('does not let an employee list browsers', async () => {
    const { token: secret } = await createSession(ctx.db, a.orgId, a.users.dave, 'password');
    const res = await app.inject({
      method: 'GET',
      url: '/v1/extension/browsers',
      headers: { cookie: `${SESSION_COOKIE}=${secret}` },
    });
    expect(res.statusCode).toBe(403);
  });
});
