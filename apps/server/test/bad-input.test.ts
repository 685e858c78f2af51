import type { TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../src/context.js';
import { buildHttpApp, type HttpApp } from '../src/http/app.js';
import { bearer, createKey, createTestContext, type SeededOrg, seedOrg } from '../src/usage/testing.js';

/**
 * The inputs issue #16 found answering 500 (or being stored mangled): each one is now a 4xx.
 * The schema-driven fuzz (openapi-fuzz.test.ts) looks for more; these pin the known ones.
 */

let ctx: AppContext;
let handle: TestDatabase;
let app: HttpApp;
let org: SeededOrg;
let key: string;

beforeAll(async () => {
  ({ ctx, handle } = await createTestContext());
  org = await seedOrg(ctx, 'bad-input');
  key = await createKey(ctx, org.orgId, ['read', 'write', 'admin']);
  app = await buildHttpApp(ctx);
});
afterAll(async () => {
  await app.close();
  await ctx.preflight.idle();
  await handle.drop();
});

function call(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, body?: unknown) {
  return app.inject({
    method,
    url,
    headers: bearer(key),
    ...(body === undefined ? {} : { payload: body as object }),
  });
}

const policy = (extra: Record<string, unknown> = {}) => ({
  name: 'risk',
  severity: 'high',
  trigger: { type: 'ip_risk' },
  conditions: { all: [{ field: 'risk_level', op: 'gte', value: 'high' }] },
  actions: [{ type: 'email_user' }],
  ...extra,
});

describe('ids that are not UUIDs', () => {
  it.each([
    ['GET', '/v1/budgets/not-a-uuid'],
    ['PATCH', '/v1/budgets/not-a-uuid'],
    ['DELETE', '/v1/budgets/12345'],
    ['GET', '/v1/budgets/12345/rollovers'],
    ['GET', '/v1/exemptions/not-a-uuid'],
    ['POST', '/v1/exemptions/not-a-uuid/approve'],
    ['POST', '/v1/exemptions/not-a-uuid/reject'],
    ['POST', '/v1/users/not-a-uuid/block'],
    ['DELETE', '/v1/users/not-a-uuid/block'],
  ] as const)('%s %s answers 404, not 500', async (method, url) => {
    const body = method === 'PATCH' ? { cap: 'soft' } : method === 'POST' ? { reason: 'x' } : undefined;
    const res = await call(method, url, body);
    expect(res.statusCode, res.body).toBe(404);
    expect(res.json().error.code).toBe('not_found');
  });

  it('a non-UUID reference in a filter or body is refused, not sent to the database', async () => {
    expect((await call('GET', '/v1/exemptions?budget_id=nope')).statusCode).toBe(404);
    const res = await call('POST', '/v1/exemptions', { budget_id: 'nope', user_id: 'nope', lift: true });
    expect(res.statusCode).toBeLessThan(500);
  });
});

describe('text the database cannot store', () => {
  it('refuses NUL in a body string with a 400 naming the field', async () => {
    const res = await call('POST', '/v1/incidents', { title: 'a\u0000b' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/title: must not contain NUL/);
  });

  it('refuses NUL in a query string and in a path', async () => {
    expect((await call('GET', '/v1/audit?action=a%00b')).statusCode).toBe(400);
    expect((await call('DELETE', '/v1/prices/openai/gpt%00x')).statusCode).toBe(400);
  });

  it('refuses a lone surrogate in an incident comment', async () => {
    const incident = (await call('POST', '/v1/incidents', { title: 'leak' })).json();
    const res = await call('POST', `/v1/incidents/${incident.id}/comments`, { body: 'x\ud800y' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/unpaired surrogates/);
    const paired = await call('POST', `/v1/incidents/${incident.id}/comments`, { body: 'ok 😀' });
    expect(paired.statusCode).toBe(201);
  });

  it('refuses a body that is not valid UTF-8 instead of storing U+FFFD', async () => {
    const payload = Buffer.concat([Buffer.from('{"title":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
    const res = await app.inject({
      method: 'POST',
      url: '/v1/incidents',
      headers: { ...bearer(key), 'content-type': 'application/json' },
      payload,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/not valid UTF-8/);
    const list = (await call('GET', '/v1/incidents')).json().data as { title: string }[];
    expect(list.some((i) => i.title.includes('\ufffd'))).toBe(false);
  });
});

describe('dates are real calendar dates everywhere', () => {
  it.each(['2026-13-01', '2026-02-30', '0000-01-01'])(
    '/v1/performance/* refuses end_date=%s',
    async (day) => {
      for (const route of ['scores', 'teams', 'leaderboard']) {
        const res = await call('GET', `/v1/performance/${route}?end_date=${day}`);
        expect(res.statusCode, `${route}: ${res.body}`).toBe(400);
      }
    },
  );

  it('still accepts a leap day', async () => {
    expect((await call('GET', '/v1/performance/scores?end_date=2024-02-29')).statusCode).toBe(200);
  });
});

describe('numbers fit their columns and documented limits hold', () => {
  it('refuses a policy version above 2^31 − 1', async () => {
    const res0 = await call('POST', '/v1/policies', policy());
    expect(res0.statusCode, res0.body).toBe(201);
    const created = res0.json();
    for (const path of ['publish', 'test']) {
      const res = await call('POST', `/v1/policies/${created.id}/${path}`, { version: 2 ** 31 });
      expect(res.statusCode, res.body).toBe(400);
    }
  });

  it('refuses conditions nested deeper than the documented 8 levels (800 here)', async () => {
    let node: unknown = { field: 'risk_level', op: 'gte', value: 'high' };
    for (let i = 0; i < 800; i += 1) node = { all: [node] };
    const res = await call('POST', '/v1/policies', policy({ conditions: node }));
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/nest at most 8 deep/);
  });

  it('accepts exactly 8 levels and refuses 9', async () => {
    const nest = (levels: number) => {
      let node: unknown = { field: 'risk_level', op: 'gte', value: 'high' };
      for (let i = 0; i < levels; i += 1) node = { any: [node] };
      return node;
    };
    const eight = await call('POST', '/v1/policies', policy({ conditions: nest(8) }));
    expect(eight.statusCode, eight.body).toBe(201);
    expect((await call('POST', '/v1/policies', policy({ conditions: nest(9) }))).statusCode).toBe(400);
  });
});

describe('the OpenAPI document', () => {
  it('declares the payroll export as CSV and the errors every route can give', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/v1/openapi.json' })).json();
    const payroll = doc.paths['/v1/reimbursements/payroll-export'].get.responses;
    expect(Object.keys(payroll['200'].content)).toEqual(['text/csv']);
    for (const [path, ops] of Object.entries(
      doc.paths as Record<string, Record<string, { responses: object }>>,
    ))
      for (const [method, op] of Object.entries(ops))
        expect(Object.keys(op.responses), `${method} ${path}`).toEqual(
          expect.arrayContaining(['400', '401', '404']),
        );
  });
});
