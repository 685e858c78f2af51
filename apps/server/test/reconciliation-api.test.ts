import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dumpTables, type TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../src/context.js';
import { drainJobs } from '../src/delivery/testing.js';
import { buildHttpApp, type HttpApp } from '../src/http/app.js';
import { JobRunner } from '../src/jobs/runner.js';
import { syncConnectionJob } from '../src/reconciliation/jobs.js';
import { bearer, createKey, createTestContext, type SeededOrg, seedOrg } from '../src/usage/testing.js';
import { type FakeServer, type FakeUsage, HOUR, totalInput } from './fakes/fake-server.js';
import { startOpenAiFake } from './fakes/openai-fake.js';

const ADMIN_KEY = 'sk-admin-SECRET-api-test-7f3a9c1e5b';
const WRONG_KEY = 'sk-admin-SECRET-wrong-0a1b2c3d4e';
let ctx: AppContext;
let handle: TestDatabase;
let app: HttpApp;
let fake: FakeServer;
let a: SeededOrg;
let b: SeededOrg;
let aWrite: string;
let aRead: string;
let aIngest: string;
let bWrite: string;
const usage: FakeUsage[] = [];
/** Every response body of this suite, scanned for the secrets at the end. */
const bodies: string[] = [];

const call = async (
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  key: string,
  payload?: Record<string, unknown>,
) => {
  const res = await app.inject({ method, url, headers: bearer(key), payload });
  bodies.push(res.body);
  return res;
};
const runJobs = () => new JobRunner(ctx, [syncConnectionJob]).runOnce();
const day = (t: number) => new Date(t).toISOString().slice(0, 10);

beforeAll(async () => {
  process.env.TOKTRA_ALLOW_PRIVATE_URLS = '1';
  ({ ctx, handle } = await createTestContext({ dataDir: mkdtempSync(path.join(tmpdir(), 'toktra-recon-')) }));
  a = await seedOrg(ctx, 'recon-a');
  b = await seedOrg(ctx, 'recon-b');
  aWrite = await createKey(ctx, a.orgId, ['read', 'write']);
  aRead = await createKey(ctx, a.orgId, ['read']);
  aIngest = await createKey(ctx, a.orgId, ['ingest']);
  bWrite = await createKey(ctx, b.orgId, ['read', 'write']);
  const start = Math.floor(Date.now() / HOUR) * HOUR - 35 * 24 * HOUR;
  for (let h = 0; h < 35 * 24; h += 7) {
    usage.push({
      hour: new Date(start + h * HOUR),
      model: 'gpt-4.1',
      project: 'proj_a',
      input: 5000 + h,
      cachedInput: 300,
      output: 700,
    });
  }
  fake = await startOpenAiFake({ adminKey: ADMIN_KEY, usage });
  app = await buildHttpApp(ctx);
});

afterAll(async () => {
  await app?.close();
  await fake?.close();
  await handle?.drop();
});

describe('provider connections API', () => {
  let id: string;

  it('rejects bad credentials, naming the field and never echoing the value', async () => {
    const res = await call('POST', '/v1/provider-connections', aWrite, {
      provider: 'openai',
      credentials: { admin_key: 'sk-proj-SECRET-not-an-admin-key-000' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(
      /credentials\.admin_key: an OpenAI admin key starts with "sk-admin-"/,
    );
    expect(res.body).not.toContain('SECRET');
    const azure = await call('POST', '/v1/provider-connections', aWrite, {
      provider: 'azure-openai',
      credentials: { tenant_id: 't', client_id: 'c', client_secret: 's', resource_ids: ['/not/a/resource'] },
    });
    expect(azure.statusCode).toBe(400);
    expect(azure.json().error.message).toMatch(/credentials\.resource_ids\.0/);
  });

  it('guards base_url against SSRF', async () => {
    process.env.TOKTRA_ALLOW_PRIVATE_URLS = '0';
    try {
      for (const base_url of [
        fake.url,
        'http://api.example.com',
        'https://10.0.0.8',
        'https://user:pw@api.example.com',
        'file:///etc/passwd',
      ]) {
        const res = await call('POST', '/v1/provider-connections', aWrite, {
          provider: 'openai',
          credentials: { admin_key: ADMIN_KEY },
          base_url,
        });
        expect(res.statusCode, base_url).toBe(400);
      }
    } finally {
      process.env.TOKTRA_ALLOW_PRIVATE_URLS = '1';
    }
  });

  it('only write-scope keys create; read keys read; ingest keys do neither', async () => {
    const body = { provider: 'openai', credentials: { admin_key: ADMIN_KEY }, base_url: fake.url };
    expect((await call('POST', '/v1/provider-connections', aRead, body)).statusCode).toBe(403);
    expect((await call('GET', '/v1/provider-connections', aIngest)).statusCode).toBe(403);
    expect((await call('GET', '/v1/provider-connections', aRead)).statusCode).toBe(200);
  });

  it('creates a connection, shows only a masked hint, and backfills through the job', async () => {
    const res = await call('POST', '/v1/provider-connections', aWrite, {
      provider: 'openai',
      credentials: { admin_key: ADMIN_KEY },
      base_url: fake.url,
    });
    expect(res.statusCode).toBe(201);
    const created = res.json();
    id = created.id;
    expect(created).toMatchObject({
      provider: 'openai',
      status: 'pending',
      credentials_hint: 'sk-admin-…9c1e5b'.replace('9c1e5b', '1e5b'),
    });
    expect(created.credentials).toBeUndefined();
    expect(typeof created.sync_job_id).toBe('number');
    // Issue 19: before the first sync, Shadow AI says "not synced yet", not "within band, gap 0".
    const before = (await call('GET', '/v1/shadow-ai', aRead)).json();
    expect(before.totals).toMatchObject([
      { provider: 'openai', state: 'not_synced', last_synced_at: null, days_with_data: 0, gap_tokens: 0 },
    ]);
    expect(await runJobs()).toBe(1);
    const after = (await call('GET', '/v1/shadow-ai', aRead)).json();
    expect(after.totals[0]).toMatchObject({ state: 'ok' });
    expect(after.totals[0].days_with_data).toBeGreaterThan(0);
    const got = (await call('GET', `/v1/provider-connections/${id}`, aRead)).json();
    expect(got).toMatchObject({ status: 'healthy', last_error: null });
    expect(got.last_synced_at).not.toBeNull();
    const list = (await call('GET', '/v1/provider-connections', aRead)).json();
    expect(list.data.map((c: { id: string }) => c.id)).toEqual([id]);
  });

  it('GET /v1/usage reports reconciled tokens where known, matching the provider exactly', async () => {
    const end = day(Date.now());
    const start = day(Date.now() - 20 * 86_400_000);
    const res = await call('GET', `/v1/usage?start_date=${start}&end_date=${end}&group_by=day`, aRead);
    expect(res.statusCode).toBe(200);
    const report = res.json();
    const inRange = usage.filter((u) => day(u.hour.getTime()) >= start && day(u.hour.getTime()) <= end);
    expect(report.totals.reconciled_input_tokens).toBe(inRange.reduce((s, u) => s + totalInput(u), 0));
    expect(report.totals.reconciled_output_tokens).toBe(inRange.reduce((s, u) => s + u.output, 0));
    const byProvider = (
      await call('GET', `/v1/usage?start_date=${start}&end_date=${end}&group_by=provider`, aRead)
    ).json();
    expect(byProvider.totals.reconciled_output_tokens).toBe(report.totals.reconciled_output_tokens);
    // Issue 19: per-model rows carry the reconciled tokens even for a model no agent event named
    // (agents cannot see models): the model has a row, and the rows add up to the totals.
    const byModel = (
      await call('GET', `/v1/usage?start_date=${start}&end_date=${end}&group_by=model`, aRead)
    ).json();
    expect(byModel.data).toEqual([
      expect.objectContaining({
        model: 'gpt-4.1',
        est_input_tokens: 0,
        reconciled_input_tokens: report.totals.reconciled_input_tokens,
        reconciled_output_tokens: report.totals.reconciled_output_tokens,
      }),
    ]);
    // A user filter cannot be reconciled (providers do not know our people): unknown, not zero.
    const forUser = (
      await call('GET', `/v1/usage?start_date=${start}&end_date=${end}&user_id=${a.users.alice}`, aRead)
    ).json();
    expect(forUser.totals.reconciled_input_tokens).toBeNull();
    // Org B has no connection: unknown.
    const other = (await call('GET', `/v1/usage?start_date=${start}&end_date=${end}`, bWrite)).json();
    expect(other.totals.reconciled_input_tokens).toBeNull();
  });

  it('sync now answers 202 with the job id; a re-sync changes nothing', async () => {
    await drainJobs(ctx); // outbox dispatches of the usage written above, so only the sync is due
    const before = await ctx.db.withTenant(a.orgId, (tx) =>
      tx.db.selectFrom('reconciled_usage').selectAll().orderBy('bucket_start').execute(),
    );
    const res = await call('POST', `/v1/provider-connections/${id}/sync`, aWrite);
    expect(res.statusCode).toBe(202);
    expect(typeof res.json().job_id).toBe('number');
    // Asking again while it is queued joins the same job.
    expect((await call('POST', `/v1/provider-connections/${id}/sync`, aWrite)).json().job_id).toBe(
      res.json().job_id,
    );
    expect(await runJobs()).toBe(1);
    const after = await ctx.db.withTenant(a.orgId, (tx) =>
      tx.db.selectFrom('reconciled_usage').selectAll().orderBy('bucket_start').execute(),
    );
    expect(after).toEqual(before);
  });

  it('"Test connection" states the provider error plainly and marks a failing sync unhealthy', async () => {
    expect((await call('POST', `/v1/provider-connections/${id}/test`, aWrite)).json()).toEqual({
      ok: true,
      message: 'OpenAI accepted the credentials',
    });
    const bad = (
      await call('POST', '/v1/provider-connections', aWrite, {
        provider: 'openai',
        credentials: { admin_key: WRONG_KEY },
        base_url: fake.url,
      })
    ).json();
    const test = (await call('POST', `/v1/provider-connections/${bad.id}/test`, aWrite)).json();
    expect(test.ok).toBe(false);
    expect(test.message).toMatch(/^OpenAI rejected the admin key \(401 invalid_api_key\)/);
    await runJobs();
    const row = (await call('GET', `/v1/provider-connections/${bad.id}`, aRead)).json();
    expect(row.status).toBe('unhealthy');
    expect(row.last_error).toMatch(/OpenAI rejected the admin key \(401 invalid_api_key\)/);
    // Issue 19: a failing connection is not an all-clear on the Shadow AI answer.
    const shadow = (await call('GET', '/v1/shadow-ai?provider=openai', aRead)).json();
    expect(shadow.totals[0]).toMatchObject({
      state: 'unhealthy',
      last_error: expect.stringMatching(/OpenAI rejected the admin key/),
    });
    expect((await call('DELETE', `/v1/provider-connections/${bad.id}`, aWrite)).statusCode).toBe(204);
    expect((await call('GET', `/v1/provider-connections/${bad.id}`, aRead)).statusCode).toBe(404);
  });

  it('answers 404 for another org’s connection on every endpoint, and shows it nothing', async () => {
    for (const [method, url] of [
      ['GET', `/v1/provider-connections/${id}`],
      ['DELETE', `/v1/provider-connections/${id}`],
      ['POST', `/v1/provider-connections/${id}/test`],
      ['POST', `/v1/provider-connections/${id}/sync`],
      ['GET', '/v1/provider-connections/not-a-uuid'],
    ] as const) {
      const res = await call(method, url, bWrite);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json().error.code).toBe('not_found');
    }
    expect((await call('GET', '/v1/provider-connections', bWrite)).json().data).toEqual([]);
    expect((await call('GET', '/v1/calibration', bWrite)).json().data).toEqual([]);
    const shadow = (await call('GET', '/v1/shadow-ai', bWrite)).json();
    expect(shadow.data).toEqual([]);
    // A's connection is intact.
    expect((await call('GET', `/v1/provider-connections/${id}`, aRead)).statusCode).toBe(200);
  });

  it('Shadow AI and calibration answer for the org, with bad input as 400', async () => {
    const shadow = await call('GET', '/v1/shadow-ai?provider=openai', aRead);
    expect(shadow.statusCode).toBe(200);
    expect(shadow.json().data.length).toBeGreaterThan(0);
    expect((await call('GET', '/v1/shadow-ai?start_date=2026-02-30', aRead)).statusCode).toBe(400);
    expect((await call('GET', '/v1/shadow-ai?provider=nope', aRead)).statusCode).toBe(400);
    expect(
      (await call('GET', '/v1/shadow-ai?start_date=2026-05-01&end_date=2026-04-01', aRead)).statusCode,
    ).toBe(400);
    const calibration = await call('GET', '/v1/calibration', aRead);
    expect(calibration.statusCode).toBe(200);
    expect(calibration.json().data[0].provider).toBe('openai');
    // Issue 19: not calibrated says why (this org has provider data but no agent-observed traffic).
    expect(calibration.json().data[0]).toMatchObject({
      calibrated: false,
      readiness: {
        windows: { days: 0, hours: 0 },
        required: { days: 5, hours: 24 },
        reason: expect.stringMatching(/at least 5 day-windows and 24 hour-windows .* has 0 and 0/),
      },
    });
  });

  it('audits every change to connections', async () => {
    const actions = await ctx.db.withTenant(a.orgId, (tx) =>
      tx.db
        .selectFrom('audit_log')
        .select('action')
        .where('action', 'like', 'provider_connection.%')
        .execute(),
    );
    const seen = new Set(actions.map((r) => r.action));
    for (const action of ['create', 'test', 'sync', 'delete'])
      expect(seen).toContain(`provider_connection.${action}`);
  });

  it('credentials appear in no API response and no database row', async () => {
    for (const body of bodies) {
      expect(body).not.toContain(ADMIN_KEY);
      expect(body).not.toContain(WRONG_KEY);
      expect(body).not.toContain('SECRET');
    }
    for (const { table, row } of await dumpTables(ctx.db)) expect(row, table).not.toContain('SECRET');
  });
});
