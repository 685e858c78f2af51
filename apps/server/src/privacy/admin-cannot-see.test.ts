import type { TestDatabase } from '@toktra/db/testing';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../api-keys/service.js';
import {
  authHeaders,
  createAuthTestContext,
  seedAuthOrg,
  signInForTest,
  type TestUsers,
} from '../auth/testing.js';
import type { AppContext } from '../context.js';
import { buildHttpApp, type HttpApp } from '../http/app.js';

/**
 * "Employees' privacy controls cannot be overridden by admins": every route the API registers is
 * called by every admin-side principal, and no answer may reveal the employee's schedule or pause
 * (distinctive values below) or a privacy state other than off/configured/active; no write may
 * change them. Routes come from Fastify's own route table, so a new endpoint is covered the day it
 * lands.
 */
let ctx: AppContext;
let handle: TestDatabase;
let app: HttpApp;
let a: TestUsers;
let deviceId = '';

// Distinctive: an unusual zone and odd minutes no other fixture uses.
const SCHEDULE = {
  time_zone: 'Pacific/Chatham',
  windows: [{ days: [2, 6], start: '03:17', end: '04:29' }],
};
const SECRETS = [
  /Pacific\/Chatham/,
  /03:17/,
  /04:29/,
  /"paused_indefinitely"\s*:\s*true/,
  /"pausedUntil"/,
  /indefinite"/,
];

type Caller = { name: string; headers: Record<string, string> };
let callers: Caller[] = [];

async function sessionHeaders(email: string): Promise<Record<string, string>> {
  return authHeaders(await signInForTest(app, email));
}

/** Every (method, path) in Fastify's route tree (printRoutes prints a radix tree: children extend their parent's path). */
function routeTable(): Array<{ method: string; path: string }> {
  const routes: Array<{ method: string; path: string }> = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│ ]*)(?:├── |└── )(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = (match[1] ?? '').length / 4;
    stack.length = depth;
    const full = (stack[depth - 1] ?? '') + (match[2] ?? '');
    stack[depth] = full;
    for (const method of (match[3] ?? '').split(', ').filter(Boolean)) routes.push({ method, path: full });
  }
  return routes;
}

beforeAll(async () => {
  ({ ctx, handle } = await createAuthTestContext());
  app = await buildHttpApp(ctx);
  await app.ready();
  a = await seedAuthOrg(ctx, 'privacy-admin');
  const employee = await sessionHeaders('employee@privacy-admin.test');
  for (const [method, url, payload] of [
    ['PUT', '/v1/me/privacy/schedule', SCHEDULE],
    ['POST', '/v1/me/privacy/pause', {}],
  ] as const) {
    const res = await app.inject({ method, url, payload, headers: employee });
    expect(res.statusCode).toBe(200);
  }
  deviceId = await ctx.db.withTenant(a.orgId, async ({ db }) => {
    const device = await db
      .insertInto('devices')
      .values({
        org_id: a.orgId,
        hostname: 'emp-laptop',
        owner_user_id: a.users.employee,
        privacy_state: 'active',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return device.id;
  });
  const { apiKey } = await createApiKey(
    ctx.db,
    a.orgId,
    { type: 'cli', id: null },
    { name: 'owner key', scopes: ['read', 'write', 'admin', 'ingest'] },
  );
  callers = [
    { name: 'owner API key', headers: { authorization: `Bearer ${apiKey}` } },
    { name: 'owner session', headers: await sessionHeaders('owner@privacy-admin.test') },
    { name: 'manager session', headers: await sessionHeaders('manager@privacy-admin.test') },
    { name: 'auditor session', headers: await sessionHeaders('auditor@privacy-admin.test') },
  ];
}, 60_000);
afterAll(async () => {
  await app.close();
  await handle.drop();
});

/** Concrete URLs for a route: each path parameter filled with the employee's, their device's or the org's id. */
function urlsFor(path: string): string[] {
  if (!path.includes(':')) return [path, `${path}?user_id=${a.users.employee}`];
  return [a.users.employee, deviceId, a.orgId].map((id) => path.replace(/:[A-Za-z_]+/g, id));
}

// Server-sent-event streams never end (they are checked through their snapshot endpoints), the
// static docs/dashboard files are not data, sign-in/out are not admin paths.
const skip = (path: string) =>
  path.endsWith('/stream') || path.includes('*') || path.startsWith('/docs') || path.startsWith('/auth/');

async function employeeSettings() {
  return ctx.db.withTenant(a.orgId, ({ db }) =>
    db
      .selectFrom('privacy_settings')
      .selectAll()
      .where('user_id', '=', a.users.employee)
      .executeTakeFirstOrThrow(),
  );
}

describe('admins and API keys cannot see or change an employee’s Privacy Hours', () => {
  it('the route table is complete (it covers every path in the OpenAPI document)', async () => {
    const table = new Set(routeTable().map((r) => r.path.replace(/:([A-Za-z_]+)/g, '{$1}')));
    const documented = Object.keys((app.swagger() as { paths: Record<string, unknown> }).paths);
    expect(documented.length).toBeGreaterThan(50);
    expect(documented.filter((p) => !table.has(p))).toEqual([]);
  });

  it('no GET answer reveals the schedule or the pause, only off/configured/active', async () => {
    const gets = routeTable().filter((r) => r.method === 'GET' && !skip(r.path));
    expect(gets.length).toBeGreaterThan(40);
    let answered = 0;
    for (const caller of callers) {
      for (const route of gets) {
        for (const url of urlsFor(route.path)) {
          const res = await app.inject({ method: 'GET', url, headers: caller.headers });
          if (res.statusCode === 200) answered += 1;
          for (const secret of SECRETS) {
            expect(secret.test(res.body), `${caller.name} GET ${url} leaked ${secret}`).toBe(false);
          }
          for (const m of res.body.matchAll(/"privacy_state"\s*:\s*("[^"]*"|null)/g)) {
            expect(['"off"', '"configured"', '"active"', 'null'], `${caller.name} GET ${url}`).toContain(
              m[1],
            );
          }
        }
      }
    }
    // The sweep did reach data (a table of 401s would prove nothing).
    expect(answered).toBeGreaterThan(100);
    const device = await app.inject({ url: `/v1/devices/${deviceId}`, headers: callers[0]?.headers });
    expect(device.json().privacy_state).toBe('active');
  }, 240_000);

  it('no admin write path changes them', async () => {
    const before = await employeeSettings();
    const writes = routeTable().filter(
      (r) => !['GET', 'HEAD', 'OPTIONS'].includes(r.method) && !skip(r.path),
    );
    expect(writes.length).toBeGreaterThan(30);
    const attempts: unknown[] = [
      {},
      {
        user_id: a.users.employee,
        device_id: deviceId,
        time_zone: 'UTC',
        windows: [],
        paused: false,
        paused_until: null,
        paused_indefinitely: false,
        privacy_state: 'off',
        enabled: false,
      },
    ];
    for (const caller of callers.slice(0, 2)) {
      for (const route of writes) {
        for (const url of urlsFor(route.path)) {
          for (const payload of attempts) {
            const options: InjectOptions = {
              method: route.method as InjectOptions['method'],
              url,
              headers: caller.headers,
              payload: payload as InjectOptions['payload'],
            };
            await app.inject(options);
          }
        }
      }
    }
    const after = await employeeSettings();
    expect(after).toEqual(before);
    expect(after.paused_indefinitely).toBe(true);
    expect(after.windows).toEqual(SCHEDULE.windows);
  }, 240_000);
});
