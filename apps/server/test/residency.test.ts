import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { newEventId } from '@toktra/core';
import { type DatabaseTarget, openDatabase, type Region } from '@toktra/db';
import { createEmptyPostgresDatabase, dumpTables } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../src/api-keys/service.js';
import { createEnrollToken } from '../src/enrollment/tokens.js';
import { createOrg } from '../src/orgs/service.js';
import { type RunningServer, startServer } from '../src/server.js';
import { enrollOverHttp, ingestRequest } from './mtls-helpers.js';

/**
 * The whole server with data residency: an EU org and a US org go through sign-in, enrollment,
 * mTLS ingest, the /v1 API and a background export job; afterwards each region's database is
 * opened directly and must hold its own org's data and nothing of the other's.
 */
const cli = { type: 'cli', id: null } as const;
const dataDir = mkdtempSync(path.join(tmpdir(), 'toktra-residency-'));
const drops: Array<() => Promise<void>> = [];
let server: RunningServer;
let targets: Record<'us' | 'eu', DatabaseTarget>;

beforeAll(async () => {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (adminUrl) {
    const [us, eu, control] = await Promise.all([1, 2, 3].map(() => createEmptyPostgresDatabase(adminUrl)));
    if (!us || !eu || !control) throw new Error('no databases');
    drops.push(us.drop, eu.drop, control.drop);
    targets = { us: { url: us.url }, eu: { url: eu.url } };
    server = await startServer({
      port: 0,
      dataDir,
      logLevel: 'silent',
      databaseUrl: us.url,
      regionDatabaseUrls: { eu: eu.url },
      controlDatabaseUrl: control.url,
    });
  } else {
    targets = {
      us: { dataDir: path.join(dataDir, 'pgdata') },
      eu: { dataDir: path.join(dataDir, 'regions/eu') },
    };
    server = await startServer({ port: 0, dataDir, logLevel: 'silent' });
  }
});
afterAll(async () => {
  await server?.close();
  for (const drop of drops) await drop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function exerciseOrg(name: string, region: Region) {
  const org = await createOrg(server.ctx.db, {
    name,
    region,
    adminEmail: `owner@${name}.example`,
    timeZone: 'Europe/Berlin',
  });
  const { apiKey } = await createApiKey(server.ctx.db, org.orgId, cli, {
    name: 'k',
    scopes: ['read', 'write'],
  });
  const auth = { authorization: `Bearer ${apiKey}` };

  const signIn = await fetch(`${server.url}/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `owner@${name}.example`, password: org.adminPassword }),
  });
  expect(signIn.status).toBe(200);
  const cookie = signIn.headers.get('set-cookie')?.split(';')[0] ?? '';
  const me = await fetch(`${server.url}/v1/me`, { headers: { cookie } });
  expect(((await me.json()) as { org: { id: string } }).org.id).toBe(org.orgId);

  const { token } = await createEnrollToken(server.ctx.db, org.orgId, cli, {
    maxUses: 1,
    ttlMs: 60_000,
    ownerUserId: org.adminUserId,
  });
  const device = await enrollOverHttp(server.url, token, `${name}-laptop`);
  const rootCa = device.caChain.split(/(?<=-----END CERTIFICATE-----)/)[1]?.trim() ?? '';
  const sent = await ingestRequest(server.ingestUrl, '/ingest/v1/batches', {
    ca: rootCa,
    identity: device.identity,
    body: {
      events: [
        {
          id: newEventId(),
          occurred_at: new Date(Date.now() - 60_000).toISOString(),
          host: 'api.openai.com',
          transport: 'tcp',
          bytes_up: 4_000,
          bytes_down: 20_000,
          duration_ms: 900,
        },
      ],
    },
  });
  expect(sent.status).toBe(200);

  const today = new Date().toISOString().slice(0, 10);
  const usage = await fetch(`${server.url}/v1/usage?start_date=${today}&end_date=${today}`, {
    headers: auth,
  });
  expect(usage.status).toBe(200);
  expect(((await usage.json()) as { totals: { events: number } }).totals.events).toBe(1);

  // A background job, claimed by the runner of the org's own region.
  const started = await fetch(`${server.url}/v1/exports`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ start_date: today, end_date: today, format: 'csv', scope: 'users' }),
  });
  expect(started.status).toBe(202);
  const { job_id } = (await started.json()) as { job_id: string };
  let status = 'queued';
  for (let i = 0; i < 300 && status !== 'ready' && status !== 'failed'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const job = await fetch(`${server.url}/v1/exports/${job_id}`, { headers: auth });
    status = ((await job.json()) as { status: string }).status;
  }
  expect(status).toBe('ready');
  return org.orgId;
}

describe('data residency through the whole server', () => {
  it("keeps an EU org's data in the EU database and a US org's in the US database", async () => {
    const euOrg = await exerciseOrg('berlin', 'eu');
    const usOrg = await exerciseOrg('austin', 'us');
    const orgs = await fetch(`${server.url}/healthz`);
    expect(orgs.status).toBe(200);
    await server.close();

    for (const [region, target] of Object.entries(targets)) {
      const store = await openDatabase(target);
      try {
        const rows = await dumpTables(store);
        const mine = region === 'eu' ? euOrg : usOrg;
        const theirs = region === 'eu' ? usOrg : euOrg;
        const theirName = region === 'eu' ? 'austin' : 'berlin';
        expect(rows.filter((r) => r.row.includes(mine)).map((r) => r.table)).toEqual(
          expect.arrayContaining([
            'orgs',
            'users',
            'devices',
            'events',
            'api_keys',
            'sessions',
            'jobs',
            'exports',
            'certificate_authorities',
            'audit_log',
          ]),
        );
        expect(rows.filter((r) => r.row.includes(theirs) || r.row.includes(theirName))).toEqual([]);
      } finally {
        await store.close();
      }
    }
  });
});
