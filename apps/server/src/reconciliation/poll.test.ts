import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dumpTables } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeServer, type FakeUsage, HOUR, totalInput } from '../../test/fakes/fake-server.js';
import { startOpenAiFake } from '../../test/fakes/openai-fake.js';
import type { AppContext } from '../context.js';
import { createOrg } from '../orgs/service.js';
import { createTestContext } from '../usage/testing.js';
import { createConnection, getConnection } from './connections.js';
import { pollAllConnectionsJob } from './jobs.js';
import { pollConnection, pollWindow } from './poll.js';

const KEY = 'sk-admin-poll-test-key-0123456789';
const NOW = new Date(Date.UTC(2026, 10, 21, 10, 30));
const FAST = { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 100 };
let ctx: AppContext;
let drop: () => Promise<void>;
let fake: FakeServer;
let orgId: string;
const usage: FakeUsage[] = [];

beforeAll(async () => {
  process.env.TOKTRA_ALLOW_PRIVATE_URLS = '1';
  const t = await createTestContext({ dataDir: mkdtempSync(path.join(tmpdir(), 'toktra-poll-')) });
  ctx = t.ctx;
  drop = t.handle.drop;
  ({ orgId } = await createOrg(ctx.db, { name: 'pollco', adminEmail: 'admin@pollco.test' }));
  // 40 days of history: the backfill must cover ≥ 30 of them.
  for (let h = 0; h < 40 * 24; h += 5) {
    usage.push({
      hour: new Date(Date.UTC(2026, 9, 12) + h * HOUR),
      model: 'gpt-4.1',
      project: h % 2 ? 'proj_a' : null,
      apiKey: 'key_1',
      input: 1000,
      cachedInput: 100,
      output: 200,
    });
  }
  fake = await startOpenAiFake({ adminKey: KEY, usage, maxBucketsPerPage: 168 });
});

afterAll(async () => {
  await fake.close();
  await drop();
});

const stored = () =>
  ctx.db.withTenant(orgId, (tx) =>
    tx.db
      .selectFrom('reconciled_usage')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('bucket_start')
      .execute(),
  );

describe('pollConnection', () => {
  it('backfills at least 30 days, then re-reads a trailing window without changing anything', async () => {
    const conn = await createConnection(
      ctx,
      orgId,
      { type: 'system', id: null },
      {
        provider: 'openai',
        credentials: { admin_key: KEY },
        base_url: fake.url,
      },
    );
    const first = await pollConnection(ctx, orgId, conn.id, { now: NOW, retry: FAST });
    if ('error' in first) throw new Error(first.error);
    expect(NOW.getTime() - first.window.start.getTime()).toBeGreaterThanOrEqual(30 * 86_400_000);
    const rows = await stored();
    const inWindow = usage.filter((u) => u.hour >= first.window.start && u.hour < first.window.end);
    // Totals match the fake's data exactly.
    expect(rows.reduce((s, r) => s + r.input_tokens, 0)).toBe(
      inWindow.reduce((s, u) => s + totalInput(u), 0),
    );
    expect(rows.reduce((s, r) => s + r.output_tokens, 0)).toBe(inWindow.reduce((s, u) => s + u.output, 0));
    expect(rows.reduce((s, r) => s + r.cached_input_tokens, 0)).toBe(inWindow.length * 100);
    const after = await getConnection(ctx.db, orgId, conn.id);
    expect(after.status).toBe('healthy');
    expect(after.backfilled_at).not.toBeNull();

    // The next poll reads the trailing window only, and a re-read changes nothing.
    const again = await pollConnection(ctx, orgId, conn.id, { now: NOW, retry: FAST });
    if ('error' in again) throw new Error(again.error);
    expect(again.window).toEqual(pollWindow(NOW, true));
    expect(again.buckets).toBeGreaterThan(0);
    expect(again.upserted).toBe(0);
    expect(again.deleted).toBe(0);
    expect(await stored()).toEqual(rows);
  });

  it('overwrites late data instead of adding it, and drops keys the provider no longer reports', async () => {
    const conn = (
      await ctx.db.withTenant(orgId, (tx) =>
        tx.db.selectFrom('provider_connections').select('id').executeTakeFirstOrThrow(),
      )
    ).id;
    const late = usage.filter((u) => u.hour.getTime() >= NOW.getTime() - 2 * 86_400_000 && u.hour < NOW);
    const target = late[0];
    if (!target) throw new Error('no recent usage');
    target.output += 7;
    const before = await stored();
    const result = await pollConnection(ctx, orgId, conn, { now: NOW, retry: FAST });
    if ('error' in result) throw new Error(result.error);
    expect(result.upserted).toBe(1);
    const rows = await stored();
    expect(rows.reduce((s, r) => s + r.output_tokens, 0)).toBe(
      before.reduce((s, r) => s + r.output_tokens, 0) + 7,
    );
  });

  it('marks the connection unhealthy with the provider error and backs off', async () => {
    const conn = await createConnection(
      ctx,
      orgId,
      { type: 'system', id: null },
      {
        provider: 'openai',
        credentials: { admin_key: 'sk-admin-revoked-key-00000000' },
        base_url: fake.url,
      },
    );
    const result = await pollConnection(ctx, orgId, conn.id, { now: NOW, retry: FAST });
    expect(result).toEqual({
      error: expect.stringMatching(/^OpenAI rejected the admin key \(401 invalid_api_key\)/),
    });
    const row = await ctx.db.withTenant(orgId, (tx) =>
      tx.db
        .selectFrom('provider_connections')
        .selectAll()
        .where('id', '=', conn.id)
        .executeTakeFirstOrThrow(),
    );
    expect(row.status).toBe('unhealthy');
    expect(row.last_error).toMatch(/401 invalid_api_key/);
    expect(row.next_poll_at?.getTime()).toBeGreaterThan(NOW.getTime());
  });

  it('the hourly fan-out enqueues one sync per connection, skipping those backing off', async () => {
    // The failing connection backs off: its next poll is an hour away.
    await ctx.db.withTenant(orgId, (tx) =>
      tx.db
        .updateTable('provider_connections')
        .set({ next_poll_at: new Date(Date.now() + 3_600_000) })
        .where('status', '=', 'unhealthy')
        .execute(),
    );
    await pollAllConnectionsJob.run(ctx, {}, { id: 0, orgId: null, attempt: 1 });
    const jobs = await ctx.db.system((tx) =>
      tx.db
        .selectFrom('jobs')
        .select(['name', 'payload', 'status'])
        .where('name', '=', 'reconciliation.sync')
        .execute(),
    );
    const connections = await ctx.db.withTenant(orgId, (tx) =>
      tx.db.selectFrom('provider_connections').select(['id', 'status']).execute(),
    );
    const healthy = connections.filter((c) => c.status === 'healthy').map((c) => c.id);
    expect(jobs.map((j) => (j.payload as { connectionId: string }).connectionId).sort()).toEqual(
      healthy.sort(),
    );
    // Running it again while those are queued adds nothing.
    await pollAllConnectionsJob.run(ctx, {}, { id: 0, orgId: null, attempt: 1 });
    expect(await ctx.db.system((tx) => tx.db.selectFrom('jobs').select('id').execute())).toHaveLength(
      jobs.length,
    );
  });

  it('never stores the credentials readably: no row of any table contains the key', async () => {
    const rows = await dumpTables(ctx.db);
    expect(new Set(rows.map((r) => r.table)).size).toBeGreaterThan(5);
    for (const { row } of rows) {
      expect(row).not.toContain(KEY);
      expect(row).not.toContain('revoked-key');
    }
  });
});
