import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../../context.js';
import { getInsightSecret } from '../../../efficiency/org-secret.js';
import { generateExportJob } from '../../../exports/job.js';
import { listAuditEntries } from '../../../governance/audit-query.js';
import { JobRunner } from '../../../jobs/runner.js';
import { ingestBatch } from '../../../usage/ingest.js';
import { bearer, createKey, createTestContext, type SeededOrg, seedOrg } from '../../../usage/testing.js';
import { addDays, dayInZone } from '../../../usage/time-zone.js';
import { buildHttpApp, type HttpApp } from '../../app.js';

const ZONE = 'Europe/Berlin';
let ctx: AppContext;
let handle: TestDatabase;
let app: HttpApp;
let runner: JobRunner;
let a: SeededOrg;
let b: SeededOrg;
let keyA: string;
let keyB: string;
let dataDir: string;
let d0: string;

/** Five days of mixed usage: every user, two providers, a null and two named models. */
async function seedUsage() {
  const events = [];
  const users = Object.values(a.users);
  for (let day = 0; day < 5; day++) {
    for (const [i, user] of users.entries()) {
      for (let k = 0; k <= (day + i) % 3; k++) {
        events.push({
          id: crypto.randomUUID(),
          occurred_at: `${addDays(d0, day)}T${String(8 + k + i).padStart(2, '0')}:15:00Z`,
          user_id: user,
          provider: (day + k) % 2 ? 'anthropic' : 'openai',
          ...((i + k) % 3 === 0 ? {} : { model: (i + k) % 3 === 1 ? 'gpt-4o' : 'claude-sonnet-4' }),
          input_tokens: 100 * (day + 1) + 7 * i + k,
          output_tokens: 10 * (day + 1) + i,
          bytes_up: 1000 + i,
          bytes_down: 3000 + day,
        });
      }
    }
  }
  const result = await ingestBatch(ctx, a.orgId, { type: 'api', keyId: crypto.randomUUID() }, events);
  expect(result.accepted).toBe(events.length);
  await ingestBatch(ctx, b.orgId, { type: 'api', keyId: crypto.randomUUID() }, [
    { ...events[0], id: crypto.randomUUID(), user_id: b.users.alice, input_tokens: 999_999 },
  ]);
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'toktra-exports-'));
  ({ ctx, handle } = await createTestContext({ dataDir }));
  a = await seedOrg(ctx, 'export-a', ZONE);
  b = await seedOrg(ctx, 'export-b');
  keyA = await createKey(ctx, a.orgId, ['read']);
  keyB = await createKey(ctx, b.orgId, ['read']);
  d0 = addDays(dayInZone(Date.now(), ZONE), -8);
  await seedUsage();
  app = await buildHttpApp(ctx);
  runner = new JobRunner(ctx, [generateExportJob]);
});
afterAll(async () => {
  await app.close();
  await handle.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function startExport(body: Record<string, unknown>, key = keyA) {
  const response = await app.inject({
    method: 'POST',
    url: '/v1/exports',
    payload: body,
    headers: bearer(key),
  });
  return { status: response.statusCode, body: response.json() };
}

async function status(jobId: string, key = keyA) {
  const response = await app.inject({ method: 'GET', url: `/v1/exports/${jobId}`, headers: bearer(key) });
  return { status: response.statusCode, body: response.json() };
}

async function exportFile(scope: string, format: 'csv' | 'json', start: string, end: string) {
  const started = await startExport({ start_date: start, end_date: end, format, scope });
  expect(started.body).toMatchObject({ status: 'queued' });
  expect(started.status).toBe(202);
  expect((await status(started.body.job_id)).body.status).toBe('queued');
  await runner.runOnce();
  const done = await status(started.body.job_id);
  expect(done.body).toMatchObject({ status: 'ready', progress: 100, error: null });
  const url = new URL(done.body.download_url);
  const file = await app.inject({ method: 'GET', url: url.pathname + url.search });
  expect(file.statusCode).toBe(200);
  return { job: done.body, text: file.body, url };
}

function parseCsv(text: string): Record<string, unknown>[] {
  const [header, ...lines] = text.trimEnd().split('\n');
  const columns = (header ?? '').split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(
      columns.map((c, i) => {
        const v = cells[i] ?? '';
        return [c, v === '' ? null : /^\d+(\.\d+)?$/.test(v) && c !== 'model' ? Number(v) : v];
      }),
    );
  });
}

const GROUP = { users: 'user', teams: 'department', models: 'model', providers: 'provider' } as const;
const FIGURES = ['events', 'bytes_up', 'bytes_down', 'est_input_tokens', 'est_output_tokens'] as const;

describe('exports match GET /v1/usage exactly', () => {
  for (const format of ['csv', 'json'] as const) {
    for (const scope of ['users', 'teams', 'models', 'providers'] as const) {
      it(`${scope} as ${format}: every day's rows equal /v1/usage for that day, and sums equal the range`, async () => {
        const start = d0;
        const end = addDays(d0, 4);
        const { text, job } = await exportFile(scope, format, start, end);
        const rows = format === 'csv' ? parseCsv(text) : (JSON.parse(text) as Record<string, unknown>[]);
        expect(job.row_count).toBe(rows.length);
        expect(rows.length).toBeGreaterThan(0);
        for (let day = 0; day < 5; day++) {
          const date = addDays(d0, day);
          const api = await app.inject({
            method: 'GET',
            url: '/v1/usage',
            query: { start_date: date, end_date: date, group_by: GROUP[scope] },
            headers: bearer(keyA),
          });
          const expected = api.json().data.map((r: Record<string, unknown>) => ({ date, ...r }));
          expect(rows.filter((r) => r.date === date)).toEqual(expected);
        }
        const whole = await app.inject({
          method: 'GET',
          url: '/v1/usage',
          query: { start_date: start, end_date: end },
          headers: bearer(keyA),
        });
        for (const figure of FIGURES) {
          const sum = rows.reduce((acc, r) => acc + Number(r[figure]), 0);
          expect(sum).toBe(whole.json().totals[figure]);
        }
      });
    }
  }

  it('writes a header-only CSV and an empty JSON array for a range without usage', async () => {
    const csv = await exportFile('users', 'csv', '2020-01-01', '2020-01-03');
    expect(csv.text).toBe(
      'date,user_id,user_email,user_name,events,bytes_up,bytes_down,est_input_tokens,est_output_tokens,reconciled_input_tokens,reconciled_output_tokens,est_cost\n',
    );
    const json = await exportFile('models', 'json', '2020-01-01', '2020-01-03');
    expect(JSON.parse(json.text)).toEqual([]);
  });
});

describe('the audit trail', () => {
  it('records who created and downloaded an export, by name (issue 19)', async () => {
    const { job } = await exportFile('providers', 'csv', d0, d0);
    const entries = await listAuditEntries(ctx.db, a.orgId, { target_id: job.job_id }, { limit: 10 });
    expect(entries.map((e) => [e.action, e.actor_type, e.actor_name, e.details.scope])).toEqual([
      ['export.download', 'api_key', 'test', 'providers'],
      ['export.create', 'api_key', 'test', 'providers'],
    ]);
  });
});

describe('POST /v1/exports rejects bad parameters with clear 400s', () => {
  const good = { start_date: '2026-01-01', end_date: '2026-01-31', format: 'csv', scope: 'users' };
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['missing start_date', { ...good, start_date: undefined }, /start_date/],
    ['bad format', { ...good, format: 'xlsx' }, /format/],
    ['bad scope', { ...good, scope: 'devices' }, /scope/],
    ['not a date', { ...good, end_date: '2026-02-30' }, /real calendar date/],
    ['wrong date shape', { ...good, start_date: '01/01/2026' }, /YYYY-MM-DD/],
    ['end before start', { ...good, end_date: '2025-12-31' }, /end_date must not be before start_date/],
    ['range too long', { ...good, end_date: '2027-06-01' }, /at most 400 days/],
    ['unknown field', { ...good, user: 'x' }, /user/],
  ];
  for (const [name, body, message] of cases) {
    it(name, async () => {
      const { status: code, body: answer } = await startExport(body);
      expect(code).toBe(400);
      expect(answer.error.code).toBe('validation_failed');
      expect(answer.error.message).toMatch(message);
    });
  }

  it('needs an API key or session', async () => {
    const response = await app.inject({ method: 'POST', url: '/v1/exports', payload: good });
    expect(response.statusCode).toBe(401);
  });
});

describe('download links', () => {
  it('refuses a tampered signature (403), a forged expiry (403) and an expired link (410)', async () => {
    const { url, job } = await exportFile('providers', 'csv', d0, addDays(d0, 1));
    const sig = url.searchParams.get('sig') as string;
    const expires = Number(url.searchParams.get('expires'));
    const get = (q: string) => app.inject({ method: 'GET', url: `${url.pathname}?${q}` });
    const flipped = `${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`;
    expect((await get(`expires=${expires}&sig=${flipped}`)).statusCode).toBe(403);
    expect((await get(`expires=${expires + 3600}&sig=${sig}`)).statusCode).toBe(403);
    expect((await get(`expires=${expires}`)).statusCode).toBe(400);
    // A correctly signed link whose time has passed.
    const secret = await ctx.db.withTenant(a.orgId, (tx) => getInsightSecret(tx, a.orgId));
    const past = Math.floor(Date.now() / 1000) - 10;
    const pastSig = createHmac('sha256', secret).update(`export:${job.job_id}:${past}`).digest('base64url');
    const expired = await get(`expires=${past}&sig=${pastSig}`);
    expect(expired.statusCode).toBe(410);
    expect(expired.json().error.code).toBe('gone');
    // Another org's secret cannot sign this org's export.
    const secretB = await ctx.db.withTenant(b.orgId, (tx) => getInsightSecret(tx, b.orgId));
    const forged = createHmac('sha256', secretB)
      .update(`export:${job.job_id}:${expires}`)
      .digest('base64url');
    expect((await get(`expires=${expires}&sig=${forged}`)).statusCode).toBe(403);
    expect((await get(`expires=${expires}&sig=${sig}`)).statusCode).toBe(200);
  });
});

describe('failures and tenancy', () => {
  it('records a failed export with its reason', async () => {
    const orgDir = path.join(dataDir, 'exports', b.orgId);
    mkdirSync(path.dirname(orgDir), { recursive: true });
    writeFileSync(orgDir, 'not a directory');
    const started = await startExport({ start_date: d0, end_date: d0, format: 'json', scope: 'users' }, keyB);
    await runner.runOnce();
    const { body } = await status(started.body.job_id, keyB);
    expect(body.status).toBe('failed');
    expect(body.error).toMatch(/EEXIST|ENOTDIR|exists|not a directory/);
    expect(body.download_url).toBeNull();
    rmSync(orgDir);
  });

  it("answers 404 for another org's export, an unknown id and a malformed id", async () => {
    const started = await startExport({ start_date: d0, end_date: d0, format: 'csv', scope: 'teams' });
    expect((await status(started.body.job_id, keyB)).status).toBe(404);
    expect((await status(crypto.randomUUID())).status).toBe(404);
    expect((await status('not-a-uuid')).status).toBe(404);
    await runner.runOnce();
    expect((await status(started.body.job_id)).body.status).toBe('ready');
    expect((await status(started.body.job_id, keyB)).body.error.code).toBe('not_found');
  });
});
