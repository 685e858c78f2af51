import { newEventId } from '@toktra/core';
import { createTestDatabase, type TestDatabase } from '@toktra/db/testing';
import type { Counter } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../src/api-keys/service.js';
import { createEnrollToken } from '../src/enrollment/tokens.js';
import { createOrg } from '../src/orgs/service.js';
import { createRootAuthority, issueDeviceCertificate } from '../src/pki/certificates.js';
import { getOrgAuthorities } from '../src/pki/store.js';
import { type RunningServer, startServer } from '../src/server.js';
import { tempDir } from './cli-helpers.js';
import {
  enrollOverHttp,
  type IngestResponse,
  ingestRequest,
  makeAgentKeys,
  type TlsIdentity,
} from './mtls-helpers.js';

let pg: TestDatabase | undefined;
let server: RunningServer;
const cli = { type: 'cli', id: null } as const;

interface Enrolled {
  deviceId: string;
  orgId: string;
  identity: TlsIdentity;
  caChain: string;
}

let rootPem: string;

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
  const root = await server.ctx.pki.root;
  rootPem = root?.pem ?? '';
});
afterAll(async () => {
  await server?.close();
  await pg?.drop();
});

async function newOrg(name: string) {
  const org = await createOrg(server.ctx.db, { name, adminEmail: `alice@${name}.test` });
  const key = await createApiKey(server.ctx.db, org.orgId, cli, { name: 't', scopes: ['read', 'write'] });
  return { orgId: org.orgId, ownerId: org.adminUserId, apiKey: key.apiKey };
}

async function enroll(org: { orgId: string; ownerId: string }): Promise<Enrolled> {
  const { token } = await createEnrollToken(server.ctx.db, org.orgId, cli, {
    maxUses: 1,
    ttlMs: 60_000,
    ownerUserId: org.ownerId,
  });
  const device = await enrollOverHttp(server.url, token);
  expect(device.ingestUrl).toBe(server.ingestUrl);
  return { deviceId: device.deviceId, orgId: org.orgId, caChain: device.caChain, identity: device.identity };
}

function event(overrides: Record<string, unknown> = {}) {
  return {
    id: newEventId(),
    occurred_at: new Date(Date.now() - 60_000).toISOString(),
    host: 'api.openai.com',
    transport: 'tcp',
    bytes_up: 4_000,
    bytes_down: 20_000,
    duration_ms: 1_500,
    ...overrides,
  };
}

function send(identity: TlsIdentity, body: unknown, path = '/ingest/v1/batches'): Promise<IngestResponse> {
  return ingestRequest(server.ingestUrl, path, { ca: rootPem, identity, body });
}

async function refusals(reason: string): Promise<number> {
  const counter = server.ctx.metrics.getSingleMetric('toktra_ingest_refusals_total') as Counter<'reason'>;
  const values = (await counter.get()).values;
  return values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

async function eventCount(orgId: string): Promise<number> {
  const rows = await server.ctx.db.withTenant(orgId, ({ db }) =>
    db.selectFrom('events').select('id').where('org_id', '=', orgId).execute(),
  );
  return rows.length;
}

async function expectRefused(identity: TlsIdentity, reason: string) {
  const before = await refusals(reason);
  const res = await send(identity, { events: [event()] });
  expect(res.status).toBe(401);
  expect(res.body).toMatchObject({ error: { code: 'unauthorized', details: { reason } } });
  expect(await refusals(reason)).toBe(before + 1);
}

describe('ingest over mutual TLS', () => {
  let orgA: Awaited<ReturnType<typeof newOrg>>;
  let orgB: Awaited<ReturnType<typeof newOrg>>;
  let deviceA: Enrolled;

  beforeAll(async () => {
    orgA = await newOrg('mtls-a');
    orgB = await newOrg('mtls-b');
    deviceA = await enroll(orgA);
  });

  it('enrolls, then accepts a batch over real mTLS and bumps last_seen_at', async () => {
    const lastSeen = () =>
      server.ctx.db.withTenant(orgA.orgId, ({ db }) =>
        db
          .selectFrom('devices')
          .select('last_seen_at')
          .where('id', '=', deviceA.deviceId)
          .executeTakeFirstOrThrow(),
      );
    await server.ctx.db.withTenant(orgA.orgId, ({ db }) =>
      db
        .updateTable('devices')
        .set({ last_seen_at: new Date('2020-01-01') })
        .where('id', '=', deviceA.deviceId)
        .execute(),
    );
    const res = await send(deviceA.identity, { events: [event(), event()] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    expect(await eventCount(orgA.orgId)).toBe(2);
    expect(Date.now() - ((await lastSeen()).last_seen_at?.getTime() ?? 0)).toBeLessThan(60_000);
  });

  it('accepts a gzip body and refuses bad JSON and oversized batches clearly', async () => {
    const gz = await ingestRequest(server.ingestUrl, '/ingest/v1/batches', {
      ca: rootPem,
      identity: deviceA.identity,
      body: { events: [event()] },
      gzip: true,
    });
    expect(gz).toMatchObject({ status: 200, body: { accepted: 1 } });
    const bad = await ingestRequest(server.ingestUrl, '/ingest/v1/batches', {
      ca: rootPem,
      identity: deviceA.identity,
      raw: '{"events": [',
    });
    expect(bad.status).toBe(400);
    const big = await send(deviceA.identity, { events: Array.from({ length: 5001 }, () => ({})) });
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ error: { code: 'payload_too_large' } });
    expect(JSON.stringify(big.body)).toContain('at most 5000 events');
  });

  it('refuses a body that is not gzip despite its header, and other encodings', async () => {
    const notGzip = await ingestRequest(server.ingestUrl, '/ingest/v1/batches', {
      ca: rootPem,
      identity: deviceA.identity,
      body: { events: [] },
      headers: { 'content-encoding': 'gzip' },
    });
    expect(notGzip.status).toBe(400);
    const brotli = await ingestRequest(server.ingestUrl, '/ingest/v1/batches', {
      ca: rootPem,
      identity: deviceA.identity,
      body: { events: [] },
      headers: { 'content-encoding': 'br' },
    });
    expect(brotli.status).toBe(415);
  });

  it('records a heartbeat: agent version and privacy state, never a schedule', async () => {
    const res = await send(
      deviceA.identity,
      { agent_version: '0.2.0', queue_depth: 3, privacy_state: 'configured', capture: { drops: 1 } },
      '/ingest/v1/heartbeat',
    );
    expect(res.status).toBe(200);
    const device = await fetch(`${server.url}/v1/devices/${deviceA.deviceId}`, {
      headers: { authorization: `Bearer ${orgA.apiKey}` },
    }).then((r) => r.json());
    expect(device).toMatchObject({ agent_version: '0.2.0', privacy_state: 'configured', protected: true });
    const bad = await send(
      deviceA.identity,
      { agent_version: '0.2.0', queue_depth: -1, privacy_state: 'sometimes', capture: {} },
      '/ingest/v1/heartbeat',
    );
    expect(bad.status).toBe(400);
  });

  it('takes the org from the certificate only: a body naming org B still writes to org A', async () => {
    const before = await eventCount(orgA.orgId);
    const res = await send(deviceA.identity, { org_id: orgB.orgId, events: [event({ org_id: orgB.orgId })] });
    expect(res.status).toBe(200);
    expect(await eventCount(orgA.orgId)).toBe(before + 1);
    expect(await eventCount(orgB.orgId)).toBe(0);
  });

  it('refuses a client without a certificate', async () => {
    await expectRefused({}, 'no_certificate');
  });

  it('refuses a certificate from an unknown CA (a self-made root with a valid-looking SAN)', async () => {
    const rogue = await createRootAuthority();
    const agent = await makeAgentKeys();
    const cert = await issueDeviceCertificate(rogue, agent.keys.publicKey, {
      orgId: orgA.orgId,
      deviceId: deviceA.deviceId,
    });
    await expectRefused({ key: agent.keyPem, cert: `${cert.toString('pem')}\n${rogue.pem}` }, 'unknown_ca');
  });

  it('refuses an expired certificate', async () => {
    const ca = (await getOrgAuthorities(server.ctx, orgA.orgId)).active;
    const agent = await makeAgentKeys();
    const day = 86_400_000;
    const cert = await issueDeviceCertificate(
      ca,
      agent.keys.publicKey,
      { orgId: orgA.orgId, deviceId: deviceA.deviceId },
      { notBefore: new Date(Date.now() - 10 * day), notAfter: new Date(Date.now() - day) },
    );
    await expectRefused({ key: agent.keyPem, cert: `${cert.toString('pem')}\n${ca.pem}` }, 'expired');
  });

  it("refuses a certificate whose SAN names org A but was signed by org B's CA", async () => {
    await enroll(orgB); // creates org B's CA
    const caB = (await getOrgAuthorities(server.ctx, orgB.orgId)).active;
    const agent = await makeAgentKeys();
    const forged = await issueDeviceCertificate(caB, agent.keys.publicKey, {
      orgId: orgA.orgId,
      deviceId: deviceA.deviceId,
    });
    await expectRefused({ key: agent.keyPem, cert: `${forged.toString('pem')}\n${caB.pem}` }, 'org_mismatch');
    expect(await eventCount(orgB.orgId)).toBe(0);
  });

  it("refuses org B's certificate for a device that is not in org B", async () => {
    const caB = (await getOrgAuthorities(server.ctx, orgB.orgId)).active;
    const agent = await makeAgentKeys();
    const cert = await issueDeviceCertificate(caB, agent.keys.publicKey, {
      orgId: orgB.orgId,
      deviceId: deviceA.deviceId,
    });
    await expectRefused({ key: agent.keyPem, cert: `${cert.toString('pem')}\n${caB.pem}` }, 'unknown_device');
  });

  it('refuses a revoked device within seconds of POST /v1/devices/{id}/revoke', async () => {
    const device = await enroll(orgA);
    expect((await send(device.identity, { events: [event()] })).status).toBe(200);
    const revoked = await fetch(`${server.url}/v1/devices/${device.deviceId}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${orgA.apiKey}` },
    });
    expect(revoked.status).toBe(200);
    expect(await revoked.json()).toMatchObject({ status: 'revoked', protected: false });
    const started = Date.now();
    let res = await send(device.identity, { events: [event()] });
    while (res.status === 200 && Date.now() - started < 5_000) {
      await new Promise((r) => setTimeout(r, 100));
      res = await send(device.identity, { events: [event()] });
    }
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: { details: { reason: 'revoked' } } });
    expect(await refusals('revoked')).toBeGreaterThanOrEqual(1);
  });

  it('refuses a device revoked by another process (no in-process invalidation) within the cache TTL', async () => {
    const device = await enroll(orgA);
    expect((await send(device.identity, { events: [event()] })).status).toBe(200);
    await server.ctx.db.withTenant(orgA.orgId, ({ db }) =>
      db
        .updateTable('devices')
        .set({ status: 'revoked', revoked_at: new Date() })
        .where('id', '=', device.deviceId)
        .execute(),
    );
    const started = Date.now();
    let res = await send(device.identity, { events: [event()] });
    while (res.status !== 401 && Date.now() - started < 10_000) {
      await new Promise((r) => setTimeout(r, 200));
      res = await send(device.identity, { events: [event()] });
    }
    expect(res.status).toBe(401);
    expect(Date.now() - started).toBeLessThan(server.ctx.deviceStatus.ttlMs + 1_500);
  });

  it('exposes the refusal counter on /metrics', async () => {
    const text = await fetch(`${server.url}/metrics`).then((r) => r.text());
    expect(text).toMatch(/toktra_ingest_refusals_total\{reason="no_certificate"\} [1-9]/);
  });
});
