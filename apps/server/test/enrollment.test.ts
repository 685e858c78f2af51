import type { TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../src/api-keys/service.js';
import type { AppContext } from '../src/context.js';
import { createEnrollToken } from '../src/enrollment/tokens.js';
import { buildHttpApp, type HttpApp } from '../src/http/app.js';
import { createOrg } from '../src/orgs/service.js';
import { readDeviceIdentity } from '../src/pki/identity.js';
import { x509 } from '../src/pki/x509.js';
import { createTestContext } from '../src/usage/testing.js';
import { makeAgentKeys } from './mtls-helpers.js';

let ctx: AppContext;
let handle: TestDatabase;
let app: HttpApp;
const cli = { type: 'cli', id: null } as const;

beforeAll(async () => {
  ({ ctx, handle } = await createTestContext({ dataDir: `/tmp/toktra-enroll-${process.pid}` }));
  app = await buildHttpApp(ctx);
});
afterAll(async () => {
  await app.close();
  await handle.drop();
});

async function newOrg(name: string) {
  const org = await createOrg(ctx.db, { name, adminEmail: `admin@${name}.test` });
  const rw = await createApiKey(ctx.db, org.orgId, cli, { name: 'rw', scopes: ['read', 'write'] });
  const ro = await createApiKey(ctx.db, org.orgId, cli, { name: 'ro', scopes: ['read'] });
  return { orgId: org.orgId, adminId: org.adminUserId, key: rw.apiKey, readKey: ro.apiKey };
}

async function token(orgId: string, options: { uses?: number; ownerUserId?: string } = {}) {
  return (
    await createEnrollToken(ctx.db, orgId, cli, {
      maxUses: options.uses ?? 1,
      ttlMs: 3_600_000,
      ownerUserId: options.ownerUserId,
    })
  ).token;
}

async function enroll(tokenValue: string, overrides: Record<string, unknown> = {}) {
  const agent = await makeAgentKeys();
  return app.inject({
    method: 'POST',
    url: '/v1/enroll',
    payload: {
      token: tokenValue,
      csr: agent.csrPem,
      hostname: 'host-1',
      os: 'macos 15.1',
      agent_version: '0.1.0',
      ...overrides,
    },
  });
}

const get = (url: string, key: string) =>
  app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });

describe('POST /v1/enroll', () => {
  let org: Awaited<ReturnType<typeof newOrg>>;
  beforeAll(async () => {
    org = await newOrg('enroll-a');
  });

  it('signs the CSR and records the device with its owner, audited', async () => {
    const res = await enroll(await token(org.orgId, { ownerUserId: org.adminId }));
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.org_id).toBe(org.orgId);
    const cert = new x509.X509Certificate(body.certificate);
    expect(readDeviceIdentity(cert)).toEqual({ orgId: org.orgId, deviceId: body.device_id });
    expect(body.ca_chain.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(body.ingest_url).toMatch(/^https:\/\//);
    const device = (await get(`/v1/devices/${body.device_id}`, org.key)).json();
    expect(device).toMatchObject({
      hostname: 'host-1',
      os: 'macos 15.1',
      agent_version: '0.1.0',
      owner_user_id: org.adminId,
      status: 'active',
      cert_serial: cert.serialNumber,
      protected: true,
    });
    const audit = await ctx.db.withTenant(org.orgId, ({ db }) =>
      db.selectFrom('audit_log').select(['action', 'target_id']).where('org_id', '=', org.orgId).execute(),
    );
    expect(audit).toContainEqual({ action: 'device.enroll', target_id: body.device_id });
  });

  it('maps the OS user to its org user when the token names no owner', async () => {
    const res = await enroll(await token(org.orgId), { os_user: 'Admin' });
    expect(res.statusCode).toBe(200);
    expect((await get(`/v1/devices/${res.json().device_id}`, org.key)).json()).toMatchObject({
      owner_user_id: org.adminId,
      os_user: 'Admin',
    });
  });

  it('enforces the number of uses, atomically under concurrency', async () => {
    const twice = await token(org.orgId, { uses: 2 });
    expect((await enroll(twice)).statusCode).toBe(200);
    expect((await enroll(twice)).statusCode).toBe(200);
    const third = await enroll(twice);
    expect(third.statusCode).toBe(401);
    expect(third.json().error.message).toMatch(/used up \(2 of 2 uses\)/);

    const once = await token(org.orgId);
    const results = await Promise.all(Array.from({ length: 5 }, () => enroll(once)));
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(1);
    expect(results.filter((r) => r.statusCode === 401)).toHaveLength(4);
  });

  it('refuses an expired token', async () => {
    const value = await token(org.orgId);
    await ctx.db.withTenant(org.orgId, ({ db }) =>
      db
        .updateTable('enroll_tokens')
        .set({ expires_at: new Date(Date.now() - 1000) })
        .where('org_id', '=', org.orgId)
        .where('uses', '=', 0)
        .execute(),
    );
    const res = await enroll(value);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toBe('enrollment token has expired');
  });

  it('refuses unknown and malformed tokens', async () => {
    for (const bad of [`tkenr_${'A'.repeat(43)}`, 'nope']) {
      const res = await enroll(bad);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({
        error: { code: 'unauthorized', message: 'enrollment token is not valid' },
      });
    }
  });

  it('refuses a bad CSR with 400 and does not spend the token', async () => {
    const value = await token(org.orgId);
    const garbage = await enroll(value, {
      csr: '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----',
    });
    expect(garbage.statusCode).toBe(400);
    expect(garbage.json().error.message).toMatch(/^csr: /);
    const agent = await makeAgentKeys();
    const der = Buffer.from(x509.PemConverter.decodeFirst(agent.csrPem));
    der[der.length - 1] = (der[der.length - 1] ?? 0) ^ 1;
    const forged = await enroll(value, { csr: x509.PemConverter.encode(der, 'CERTIFICATE REQUEST') });
    expect(forged.statusCode).toBe(400);
    expect(forged.json().error.message).toMatch(/signature does not verify/);
    expect((await enroll(value)).statusCode).toBe(200);
  });

  it('validates the body', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/enroll', payload: { token: 'x' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('validation_failed');
  });
});

describe('/v1/devices', () => {
  let a: Awaited<ReturnType<typeof newOrg>>;
  let b: Awaited<ReturnType<typeof newOrg>>;
  const ids: string[] = [];

  beforeAll(async () => {
    a = await newOrg('devices-a');
    b = await newOrg('devices-b');
    const value = await token(a.orgId, { uses: 3 });
    for (let i = 0; i < 3; i++) ids.push((await enroll(value, { hostname: `a-${i}` })).json().device_id);
    await enroll(await token(b.orgId), { hostname: 'b-0' });
  });

  it('pages through the org’s devices with a cursor', async () => {
    const first = (await get('/v1/devices?limit=2', a.key)).json();
    expect(first.data.map((d: { id: string }) => d.id)).toEqual(ids.slice(0, 2));
    expect(first.next_cursor).toEqual(expect.any(String));
    const second = (await get(`/v1/devices?limit=2&cursor=${first.next_cursor}`, a.key)).json();
    expect(second.data.map((d: { id: string }) => d.id)).toEqual(ids.slice(2));
    expect(second.next_cursor).toBeNull();
  });

  it.each([
    'limit=0',
    'limit=501',
    'limit=abc',
    'cursor=not-a-cursor',
    `cursor=${Buffer.from(JSON.stringify({ after: '123' })).toString('base64url')}`,
  ])('answers 400 for a bad query: %s', async (query) => {
    const res = await get(`/v1/devices?${query}`, a.key);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('validation_failed');
  });

  it('requires an API key, and the write scope to revoke', async () => {
    expect((await app.inject({ method: 'GET', url: '/v1/devices' })).statusCode).toBe(401);
    const res = await app.inject({
      method: 'POST',
      url: `/v1/devices/${ids[0]}/revoke`,
      headers: { authorization: `Bearer ${a.readKey}` },
    });
    expect(res.statusCode).toBe(403);
  });

  it("answers 404 for another org's device ids on every endpoint, and changes nothing", async () => {
    const foreign = ids[0] ?? '';
    expect(
      (await get('/v1/devices', b.key)).json().data.map((d: { hostname: string }) => d.hostname),
    ).toEqual(['b-0']);
    expect((await get(`/v1/devices/${foreign}`, b.key)).statusCode).toBe(404);
    const revoke = await app.inject({
      method: 'POST',
      url: `/v1/devices/${foreign}/revoke`,
      headers: { authorization: `Bearer ${b.key}` },
    });
    expect(revoke.statusCode).toBe(404);
    expect((await get(`/v1/devices/${foreign}`, a.key)).json().status).toBe('active');
    expect((await get('/v1/devices/not-a-uuid', a.key)).statusCode).toBe(404);
  });

  it('revokes a device (idempotently) and audits it', async () => {
    const id = ids[1] ?? '';
    const revoke = () =>
      app.inject({
        method: 'POST',
        url: `/v1/devices/${id}/revoke`,
        headers: { authorization: `Bearer ${a.key}` },
      });
    const first = await revoke();
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({
      id,
      status: 'revoked',
      protected: false,
      revoked_at: expect.any(String),
    });
    expect((await revoke()).json().revoked_at).toBe(first.json().revoked_at);
    const audit = await ctx.db.withTenant(a.orgId, ({ db }) =>
      db.selectFrom('audit_log').select('actor_type').where('action', '=', 'device.revoke').execute(),
    );
    expect(audit).toEqual([{ actor_type: 'api_key' }]);
  });

  it('documents the endpoints in the OpenAPI document', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/v1/openapi.json' })).json();
    for (const p of ['/v1/enroll', '/v1/devices', '/v1/devices/{id}', '/v1/devices/{id}/revoke']) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
  });
});
