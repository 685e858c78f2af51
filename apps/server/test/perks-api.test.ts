import { createTestDatabase, dumpTables, listTables, type TestDatabase } from '@toktra/db/testing';
import {
  generatePerkKeyPair,
  openPersonalUsage,
  type PerkKeyPair,
  type PersonalUsage,
  type SealedEntry,
  sealPersonalUsage,
  unwrapPrivateKey,
  type WrappedKey,
  wrapPrivateKey,
} from '@toktra/perks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../src/api-keys/service.js';
import { CSRF_HEADER, createSession, csrfTokenFor, SESSION_COOKIE } from '../src/auth/sessions.js';
import { createEnrollToken } from '../src/enrollment/tokens.js';
import { createOrg } from '../src/orgs/service.js';
import { type RunningServer, startServer } from '../src/server.js';
import { tempDir } from './cli-helpers.js';
import { enrollOverHttp, ingestRequest, type TlsIdentity } from './mtls-helpers.js';

/**
 * Token Perks end to end over real HTTP and mTLS: the server holds no plaintext of a personal
 * event, no admin credential can obtain one, and the employee can.
 */
let pg: TestDatabase | undefined;
let server: RunningServer;
let rootPem: string;
const cli = { type: 'cli', id: null } as const;

// Values that exist only inside the sealed event: none may ever appear in the server's answers or tables.
const MARKERS = {
  host: 'perk-marker-7f3a.example',
  id: '01966b7e-7777-7000-8000-00000000beef',
  up: '7654321',
};
const personal: PersonalUsage = {
  v: 1,
  id: MARKERS.id,
  host: MARKERS.host,
  provider: 'openai',
  product: 'chat',
  occurred_at: '2026-11-22T01:02:03.000Z',
  duration_ms: 4321,
  transport: 'tcp',
  bytes_up: Number(MARKERS.up),
  bytes_down: 1_234_567,
  est_input_tokens: 1500,
  est_output_tokens: 300_000,
  source: 'agent',
};

interface Org {
  orgId: string;
  ownerKey: string;
  owner: Record<string, string>;
  employee: Record<string, string>;
  employeeId: string;
  device: TlsIdentity;
}

async function session(orgId: string, userId: string) {
  const { token } = await createSession(server.ctx.db, orgId, userId, 'password');
  return { cookie: `${SESSION_COOKIE}=${token}`, [CSRF_HEADER]: csrfTokenFor(token) };
}

async function newOrg(name: string): Promise<Org> {
  const org = await createOrg(server.ctx.db, { name, adminEmail: `owner@${name}.test` });
  const employeeId = await server.ctx.db.withTenant(org.orgId, async ({ db }) => {
    const row = await db
      .insertInto('users')
      .values({ org_id: org.orgId, email: `emp@${name}.test`, name: 'Emp', role: 'employee' })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  });
  const { apiKey } = await createApiKey(server.ctx.db, org.orgId, cli, {
    name: 'owner',
    scopes: ['read', 'write', 'admin'],
  });
  const { token } = await createEnrollToken(server.ctx.db, org.orgId, cli, {
    maxUses: 1,
    ttlMs: 60_000,
    ownerUserId: employeeId,
  });
  const enrolled = await enrollOverHttp(server.url, token, `${name}-laptop`);
  return {
    orgId: org.orgId,
    ownerKey: apiKey,
    owner: await session(org.orgId, org.adminUserId),
    employee: await session(org.orgId, employeeId),
    employeeId,
    device: enrolled.identity,
  };
}

async function call(method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, text, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const device = (org: Org, path: string, body: unknown) =>
  ingestRequest(server.ingestUrl, path, { ca: rootPem, identity: org.device, body });

let a: Org;
let b: Org;
let pair: PerkKeyPair;
let wrapped: WrappedKey;
let enrollmentId: string;

beforeAll(async () => {
  let databaseUrl: string | undefined;
  if (process.env.TEST_DATABASE_URL) {
    pg = await createTestDatabase({ migrate: false });
    databaseUrl = (pg.target as { url: string }).url;
  }
  server = await startServer({
    port: 0,
    host: '127.0.0.1',
    dataDir: tempDir(),
    databaseUrl,
    logLevel: 'silent',
  });
  rootPem = (await server.ctx.pki.root)?.pem ?? '';
  a = await newOrg('perks-http-a');
  b = await newOrg('perks-http-b');
  // What the portal does in the browser: a key pair, the private key wrapped by a passphrase.
  pair = await generatePerkKeyPair();
  wrapped = await wrapPrivateKey(pair.privateKey, pair.publicKey, 'my long passphrase');
}, 60_000);
afterAll(async () => {
  await server?.close();
  await pg?.drop();
});

describe('Token Perks over HTTP and mTLS', () => {
  it('the employee opts in with a browser-made key; bad input is a 4xx in the one error shape', async () => {
    const bad = await call('POST', '/v1/me/perks/enrollment', a.employee, { public_key: 'not-a-key' });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: { code: 'validation_failed' } });
    const weak = await call('POST', '/v1/me/perks/enrollment', a.employee, {
      public_key: pair.publicKey,
      wrapped_private_key: { ...wrapped, iterations: 1000 },
    });
    expect(weak.status).toBe(400);
    const viaKey = await call('POST', '/v1/me/perks/enrollment', bearer(a.ownerKey), {
      public_key: pair.publicKey,
    });
    expect(viaKey.status).toBe(403);
    const res = await call('POST', '/v1/me/perks/enrollment', a.employee, {
      public_key: pair.publicKey,
      wrapped_private_key: wrapped,
    });
    expect(res.status).toBe(201);
    enrollmentId = String(res.json.id);
    const twice = await call('POST', '/v1/me/perks/enrollment', a.employee, { public_key: pair.publicKey });
    expect(twice.status).toBe(409);
    expect(twice.json).toMatchObject({ error: { code: 'conflict' } });
  });

  it('the device learns the key over mTLS and ships ciphertext, idempotently, and no corporate event', async () => {
    const keys = await device(a, '/ingest/v1/personal/keys', { os_users: [] });
    expect(keys.status).toBe(200);
    expect(keys.body).toEqual({
      default: { enrollment_id: enrollmentId, public_key: pair.publicKey },
      by_os_user: {},
    });
    const entry = await sealPersonalUsage({ id: enrollmentId, publicKey: pair.publicKey }, personal);
    const first = await device(a, '/ingest/v1/personal', { entries: [entry] });
    expect(first).toMatchObject({ status: 200, body: { accepted: 1, duplicates: 0 } });
    const again = await device(a, '/ingest/v1/personal', { entries: [entry] });
    expect(again).toMatchObject({ status: 200, body: { accepted: 0, duplicates: 1 } });
    const corporate = await server.ctx.db.withTenant(a.orgId, ({ db }) =>
      db.selectFrom('events').select('id').execute(),
    );
    expect(corporate).toHaveLength(0);
    const badShape = await device(a, '/ingest/v1/personal', { entries: [{ enrollment_id: 'x' }] });
    expect(badShape.status).toBe(400);
    expect(badShape.body).toMatchObject({ error: { code: 'validation_failed' } });
  });

  it('another org’s device cannot write to this ledger or read its keys (404)', async () => {
    const entry: SealedEntry = await sealPersonalUsage(
      { id: enrollmentId, publicKey: pair.publicKey },
      {
        ...personal,
        id: crypto.randomUUID(),
      },
    );
    const res = await device(b, '/ingest/v1/personal', { entries: [entry] });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: { code: 'not_found' } });
    const keys = await device(b, '/ingest/v1/personal/keys', {});
    expect(keys.body).toEqual({ default: null, by_os_user: {} });
    const bView = await call('GET', '/v1/me/perks', b.employee);
    expect(bView.json).toEqual({ enrollment: null, allowance: null });
    const bSummary = await call('GET', '/v1/perks/summary', bearer(b.ownerKey));
    expect(bSummary.json).toMatchObject({ enrollments: 0 });
  });

  it('the employee can read their own usage: unlock the wrapped key, open the entries', async () => {
    const mine = await call('GET', '/v1/me/perks', a.employee);
    const enrollment = mine.json.enrollment as { wrapped_private_key: WrappedKey; public_key: string };
    const privateKey = await unwrapPrivateKey(
      enrollment.wrapped_private_key,
      enrollment.public_key,
      'my long passphrase',
    );
    const entries = await call('GET', '/v1/me/perks/entries', a.employee);
    const data = entries.json.data as SealedEntry[];
    expect(data).toHaveLength(1);
    expect(await openPersonalUsage(privateKey, data[0] as SealedEntry)).toEqual(personal);
  });

  it('no admin credential obtains a plaintext: not the employee routes, not any GET route of the API', async () => {
    for (const admin of [bearer(a.ownerKey), a.owner]) {
      const entries = await call('GET', '/v1/me/perks/entries', admin);
      // An API key is refused; the owner's own session has no ledger of its own.
      expect([403, 404]).toContain(entries.status);
      expect(entries.text).not.toContain(enrollmentId);
    }
    const doc = await call('GET', '/v1/openapi.json', {});
    const paths = Object.entries(doc.json.paths as Record<string, Record<string, unknown>>)
      .filter(([p, ops]) => 'get' in ops && !p.endsWith('/stream'))
      .map(([p]) => p.replace(/\{[^}]+\}/g, enrollmentId));
    expect(paths).toContain('/v1/perks/summary');
    expect(paths.length).toBeGreaterThan(30);
    let answered = 0;
    for (const path of paths) {
      for (const admin of [bearer(a.ownerKey), a.owner]) {
        const res = await call('GET', path, admin);
        if (res.status === 200) answered += 1;
        for (const marker of Object.values(MARKERS)) expect(res.text, `${path}`).not.toContain(marker);
        expect(res.text, path).not.toContain(pair.privateKey);
      }
    }
    expect(answered).toBeGreaterThan(20);
    const summary = await call('GET', '/v1/perks/summary', bearer(a.ownerKey));
    expect(summary.json).toEqual({
      enrollments: 1,
      monthly_allowance_tokens: 0,
      min_aggregate_size: 3,
      periods: [],
    });
    const employeeTriesAdmin = await call('GET', '/v1/perks/summary', a.employee);
    expect(employeeTriesAdmin.status).toBe(403);
  }, 120_000);

  it('no table in the database holds a plaintext value of the personal event', async () => {
    // Every region's store (data residency may put orgs in several databases).
    const counts = await Promise.all(
      server.ctx.db.stores().map(async (store) => (await listTables(store)).length),
    );
    const dump = {
      tables: Math.max(...counts),
      texts: (await dumpTables(server.ctx.db)).map((r) => `${r.table}: ${r.row}`),
    };
    expect(dump.tables).toBeGreaterThan(40);
    expect(dump.texts.some((t) => t.startsWith('perk_ledger_entries:'))).toBe(true);
    for (const text of dump.texts) {
      for (const marker of Object.values(MARKERS)) expect(text).not.toContain(marker);
      expect(text).not.toContain(pair.privateKey);
    }
  });

  it('allowance: the admin sets it, the employee redeems, bad input and API keys are refused', async () => {
    expect(
      (await call('PUT', '/v1/perks/settings', a.employee, { monthly_allowance_tokens: 5 })).status,
    ).toBe(403);
    const bad = await call('PUT', '/v1/perks/settings', bearer(a.ownerKey), { monthly_allowance_tokens: -1 });
    expect(bad.status).toBe(400);
    const set = await call('PUT', '/v1/perks/settings', bearer(a.ownerKey), {
      monthly_allowance_tokens: 100_000,
    });
    expect(set.json).toEqual({ monthly_allowance_tokens: 100_000 });
    const period = new Date().toISOString().slice(0, 7);
    const body = { period, amount_tokens: 301_500, client_id: 'redeem-0001' };
    const over = await call('POST', '/v1/me/perks/redemptions', a.employee, body);
    expect(over.status).toBe(409);
    const ok = await call('POST', '/v1/me/perks/redemptions', a.employee, { ...body, amount_tokens: 60_000 });
    expect(ok.status).toBe(201);
    expect(ok.json).toEqual({
      period,
      monthly_allowance_tokens: 100_000,
      redeemed_tokens: 60_000,
      remaining_tokens: 40_000,
    });
    const viaKey = await call('POST', '/v1/me/perks/redemptions', bearer(a.ownerKey), body);
    expect(viaKey.status).toBe(403);
    const malformed = await call('POST', '/v1/me/perks/redemptions', a.employee, { period: '2026-13' });
    expect(malformed.status).toBe(400);
    // One employee redeemed: the sum would be theirs alone, so admins do not see it.
    const summary = await call('GET', '/v1/perks/summary', bearer(a.ownerKey));
    expect(summary.json.periods).toEqual([{ period, redeemed_tokens: null, redeeming_employees: null }]);
  });

  it('opting out deletes the ledger; the device’s next entry is a 404 and stays on the device', async () => {
    const res = await call('DELETE', '/v1/me/perks/enrollment', a.employee);
    expect(res.status).toBe(204);
    const rows = await server.ctx.db.withTenant(a.orgId, async ({ db }) => ({
      entries: (await db.selectFrom('perk_ledger_entries').select('id').execute()).length,
      redemptions: (await db.selectFrom('perk_redemptions').select('id').execute()).length,
    }));
    expect(rows).toEqual({ entries: 0, redemptions: 0 });
    const entry = await sealPersonalUsage({ id: enrollmentId, publicKey: pair.publicKey }, personal);
    expect((await device(a, '/ingest/v1/personal', { entries: [entry] })).status).toBe(404);
    expect((await call('GET', '/v1/me/perks/entries', a.employee)).status).toBe(404);
  });
});
