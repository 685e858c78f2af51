import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../../audit/service.js';
import { CSRF_HEADER, createSession, csrfTokenFor, SESSION_COOKIE } from '../../../auth/sessions.js';
import type { AppContext } from '../../../context.js';
import { sweepDataRequests } from '../../../data-requests/reminders.js';
import { bearer, createKey, createTestContext, type SeededOrg, seedOrg } from '../../../usage/testing.js';
import { buildHttpApp, type HttpApp } from '../../app.js';

let ctx: AppContext;
let handle: TestDatabase;
let app: HttpApp;
let dataDir: string;
let a: SeededOrg;
let b: SeededOrg;
let keyA: string;
let keyB: string;
const cookies: Record<string, Record<string, string>> = {};
const DAY = 86_400_000;

type Method = 'GET' | 'POST' | 'PUT';
const call = (headers: Record<string, string>, method: Method, url: string, body?: unknown) =>
  app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: body as object }) });
const asUser = (who: string, method: Method, url: string, body?: unknown) =>
  call(cookies[who] ?? {}, method, url, body);

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'toktra-dsar-http-'));
  ({ ctx, handle } = await createTestContext({ dataDir }));
  a = await seedOrg(ctx, 'dsar-a');
  b = await seedOrg(ctx, 'dsar-b');
  keyA = await createKey(ctx, a.orgId, ['read', 'write', 'admin']);
  keyB = await createKey(ctx, b.orgId, ['read', 'write', 'admin']);
  for (const [name, id] of Object.entries({ alice: a.users.alice, bob: a.users.bob, admin: a.adminId })) {
    const { token } = await createSession(ctx.db, a.orgId, id, 'password');
    cookies[name] = { cookie: `${SESSION_COOKIE}=${token}`, [CSRF_HEADER]: csrfTokenFor(token) };
  }
  app = await buildHttpApp(ctx);
}, 60_000);
afterAll(async () => {
  await app.close();
  await handle.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('employee: /v1/me/data-requests', () => {
  let accessId: string;

  it('submits an access request due in 30 days (GDPR), one open per kind', async () => {
    const res = await asUser('alice', 'POST', '/v1/me/data-requests', { kind: 'access', regime: 'gdpr' });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    accessId = body.id;
    expect(body).toMatchObject({ kind: 'access', regime: 'gdpr', status: 'open', overdue: false });
    expect(Date.parse(body.due_at) - Date.parse(body.submitted_at)).toBe(30 * DAY);
    const again = await asUser('alice', 'POST', '/v1/me/data-requests', { kind: 'access', regime: 'gdpr' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('conflict');
  });

  it('CCPA requests are due in 45 days', async () => {
    const res = await asUser('bob', 'POST', '/v1/me/data-requests', { kind: 'erasure', regime: 'ccpa' });
    expect(res.statusCode).toBe(201);
    expect(Date.parse(res.json().due_at) - Date.parse(res.json().submitted_at)).toBe(45 * DAY);
  });

  it('refuses bad input and API keys with the error shape', async () => {
    const bad = await asUser('alice', 'POST', '/v1/me/data-requests', { kind: 'delete', regime: 'gdpr' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'validation_failed', message: expect.any(String) });
    const key = await call(bearer(keyA), 'POST', '/v1/me/data-requests', { kind: 'access', regime: 'gdpr' });
    // An API key is not a person: it has no portal.
    expect(key.statusCode).toBe(403);
    expect(key.json().error.code).toBe('forbidden');
  });

  it('lists only the caller’s own requests; the admin queue is closed to employees', async () => {
    const mine = await asUser('alice', 'GET', '/v1/me/data-requests');
    expect(mine.json().data.map((r: { id: string }) => r.id)).toEqual([accessId]);
    expect((await asUser('alice', 'GET', '/v1/data-requests')).statusCode).toBe(403);
  });

  it('the subject downloads their own fulfilled export; a colleague cannot', async () => {
    expect((await call(bearer(keyA), 'POST', `/v1/data-requests/${accessId}/fulfil`)).statusCode).toBe(200);
    const own = await asUser('alice', 'GET', `/v1/me/data-requests/${accessId}/export?format=csv`);
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain('alice@dsar-a.test');
    expect((await asUser('bob', 'GET', `/v1/me/data-requests/${accessId}/export`)).statusCode).toBe(404);
  });
});

describe('admin: /v1/data-requests', () => {
  it('shows the queue: open first, most urgent on top, with the subject and due date', async () => {
    const res = await call(bearer(keyA), 'GET', '/v1/data-requests');
    expect(res.statusCode).toBe(200);
    const [first, second] = res.json().data;
    expect(first).toMatchObject({
      kind: 'erasure',
      regime: 'ccpa',
      status: 'open',
      subject: { email: 'bob@dsar-a.test' },
    });
    expect(second).toMatchObject({
      kind: 'access',
      status: 'completed',
      outcome: 'exported',
      export_available: true,
    });
    const open = await call(bearer(keyA), 'GET', '/v1/data-requests?status=open');
    expect(open.json().data).toHaveLength(1);
    expect((await call(bearer(keyA), 'GET', '/v1/data-requests?status=nope')).statusCode).toBe(400);
  });

  it('access export: JSON and CSV of everything about the person', async () => {
    const list = await call(bearer(keyA), 'GET', '/v1/data-requests?status=completed');
    const id = list.json().data[0].id;
    const json = await call(bearer(keyA), 'GET', `/v1/data-requests/${id}/export?format=json`);
    expect(json.statusCode).toBe(200);
    const data = JSON.parse(json.body);
    expect(data.subject).toMatchObject({ email: 'alice@dsar-a.test', name: 'alice' });
    expect(Object.keys(data.tables)).toEqual(
      expect.arrayContaining(['users', 'devices', 'audit_log', 'data_requests']),
    );
    expect(json.body).not.toMatch(/password_hash|token_hash|personal_salt/);
    const csv = await call(bearer(keyA), 'GET', `/v1/data-requests/${id}/export?format=csv`);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\n')[0]).toBe('table,row,column,value');
    // Fulfilling twice is a conflict; an unknown format is a 400.
    expect((await call(bearer(keyA), 'POST', `/v1/data-requests/${id}/fulfil`)).statusCode).toBe(409);
    expect((await call(bearer(keyA), 'GET', `/v1/data-requests/${id}/export?format=xml`)).statusCode).toBe(
      400,
    );
  });

  it('another org sees none of it (404), for reads and writes', async () => {
    const [request] = (await call(bearer(keyA), 'GET', '/v1/data-requests')).json().data;
    for (const [method, url, body] of [
      ['GET', `/v1/data-requests/${request.id}`],
      ['GET', `/v1/data-requests/${request.id}/export`],
      ['POST', `/v1/data-requests/${request.id}/fulfil`],
      ['POST', `/v1/data-requests/${request.id}/erase`, { confirm: 'ERASE' }],
    ] as [Method, string, unknown][]) {
      const res = await call(bearer(keyB), method, url, body);
      expect({ url, status: res.statusCode, code: res.json().error.code }).toEqual({
        url,
        status: 404,
        code: 'not_found',
      });
    }
    expect((await call(bearer(keyB), 'GET', '/v1/data-requests')).json().data).toEqual([]);
    expect((await call(bearer(keyA), 'GET', '/v1/data-requests/not-an-id')).statusCode).toBe(404);
  });

  it('erasure needs the confirmation, then erases and keeps only the pseudonymous record', async () => {
    const [request] = (await call(bearer(keyA), 'GET', '/v1/data-requests?status=open')).json().data;
    const unconfirmed = await call(bearer(keyA), 'POST', `/v1/data-requests/${request.id}/erase`, {});
    expect(unconfirmed.statusCode).toBe(400);
    expect(unconfirmed.json().error.code).toBe('validation_failed');
    const res = await asUser('admin', 'POST', `/v1/data-requests/${request.id}/erase`, { confirm: 'ERASE' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'completed', outcome: 'erased', subject: null });
    expect(await verifyAuditChain(ctx.db, a.orgId)).toMatchObject({ ok: true });
    const users = await call(bearer(keyA), 'GET', '/v1/users?limit=100');
    expect(users.body).not.toContain('bob@dsar-a.test');
    // Bob's session died with his account.
    expect((await asUser('bob', 'GET', '/v1/me/data-requests')).statusCode).toBe(401);
  });
});

describe('access export expiry', () => {
  it('deletes an access export once it expires', async () => {
    const [done] = (await call(bearer(keyA), 'GET', '/v1/data-requests?status=completed'))
      .json()
      .data.filter((r: { kind: string }) => r.kind === 'access');
    expect((await sweepDataRequests(ctx, new Date(Date.now() + 29 * DAY))).purged).toBe(0);
    expect((await sweepDataRequests(ctx, new Date(Date.now() + 31 * DAY))).purged).toBe(1);
    const gone = await call(bearer(keyA), 'GET', `/v1/data-requests/${done.id}/export`);
    expect(gone.statusCode).toBe(410);
  });
});

describe('reminders and overdue alert', () => {
  it('7 and 2 days before the due date, then overdue — each once, naming the request, not the person', async () => {
    const created = await asUser('alice', 'POST', '/v1/me/data-requests', {
      kind: 'erasure',
      regime: 'gdpr',
    });
    const due = Date.parse(created.json().due_at);
    const at = (ms: number) => new Date(due + ms);
    expect((await sweepDataRequests(ctx, at(-8 * DAY))).alerts).toBe(0);
    expect((await sweepDataRequests(ctx, at(-7 * DAY))).alerts).toBe(1);
    expect((await sweepDataRequests(ctx, at(-6 * DAY))).alerts).toBe(0);
    expect((await sweepDataRequests(ctx, at(-2 * DAY + 1000))).alerts).toBe(1);
    expect((await sweepDataRequests(ctx, at(1000))).alerts).toBe(1);
    expect((await sweepDataRequests(ctx, at(2 * DAY))).alerts).toBe(0);
    const alerts = await call(bearer(keyA), 'GET', '/v1/alerts?source=data_request');
    const mine = alerts.json().data.filter((x: { source_id: string }) => x.source_id === created.json().id);
    expect(mine.map((x: { severity: string }) => x.severity).sort()).toEqual(['critical', 'high', 'medium']);
    expect(JSON.stringify(mine)).not.toContain('alice');
    expect((await asUser('alice', 'GET', '/v1/me/data-requests')).json().data[0]).toMatchObject({
      status: 'open',
    });
  });
});

describe('/v1/settings/retention', () => {
  it('defaults to 395 days, can be set (audited), refuses nonsense, stays per org', async () => {
    expect((await call(bearer(keyA), 'GET', '/v1/settings/retention')).json()).toEqual({
      usage_days: 395,
      personal_ttl_days: 90,
    });
    const set = await call(bearer(keyA), 'PUT', '/v1/settings/retention', { usage_days: 60 });
    expect(set.statusCode).toBe(200);
    expect(set.json().usage_days).toBe(60);
    for (const body of [{ usage_days: 3 }, { usage_days: 'x' }, { usage_days: 60, personal_ttl_days: 10 }]) {
      const res = await call(bearer(keyA), 'PUT', '/v1/settings/retention', body);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('validation_failed');
    }
    expect((await call(bearer(keyB), 'GET', '/v1/settings/retention')).json().usage_days).toBe(395);
    expect((await asUser('alice', 'PUT', '/v1/settings/retention', { usage_days: 30 })).statusCode).toBe(403);
  });
});

describe('OpenAPI', () => {
  it('documents the data request and retention endpoints', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/v1/openapi.json' })).json();
    for (const [method, route] of [
      ['post', '/v1/me/data-requests'],
      ['get', '/v1/me/data-requests'],
      ['get', '/v1/me/data-requests/{id}/export'],
      ['get', '/v1/data-requests'],
      ['get', '/v1/data-requests/{id}'],
      ['post', '/v1/data-requests/{id}/fulfil'],
      ['get', '/v1/data-requests/{id}/export'],
      ['post', '/v1/data-requests/{id}/erase'],
      ['get', '/v1/settings/retention'],
      ['put', '/v1/settings/retention'],
    ] as const) {
      expect(doc.paths[route]?.[method], `${method} ${route}`).toBeDefined();
    }
  });
});
