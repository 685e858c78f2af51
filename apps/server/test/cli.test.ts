import { createTestDatabase, type TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnServer, tempDir } from './cli-helpers.js';

// Runs against embedded PGlite in a temp data dir, or the PostgreSQL server when TEST_DATABASE_URL is set.
let pg: TestDatabase | undefined;
let target: string[];

beforeAll(async () => {
  if (process.env.TEST_DATABASE_URL) {
    pg = await createTestDatabase({ migrate: false });
    target = ['--database-url', (pg.target as { url: string }).url];
  } else {
    target = ['--data-dir', tempDir()];
  }
});
afterAll(() => pg?.drop());

// Each case starts real CLI processes (tsx + PGlite start-up, seconds each on a busy machine).
describe('toktra admin', { timeout: 120_000 }, () => {
  let orgId: string;

  it('creates an org and prints exactly one JSON object', async () => {
    const result = await runCli([
      'admin',
      'org',
      'create',
      '--name',
      'Acme',
      '--admin-email',
      'it@acme.test',
      '--json',
      ...target,
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout);
    expect(Object.keys(body).sort()).toEqual(['admin_password', 'org_id']);
    expect(body.admin_password.length).toBeGreaterThanOrEqual(16);
    orgId = body.org_id;
  });

  it('lists orgs', async () => {
    const result = await runCli(['admin', 'org', 'list', '--json', ...target]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).orgs).toContainEqual(
      expect.objectContaining({ id: orgId, name: 'Acme' }),
    );
  });

  it('issues an API key once', async () => {
    const result = await runCli([
      'admin',
      'api-key',
      '--org',
      orgId,
      '--scopes',
      'read,ingest',
      '--json',
      ...target,
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).api_key).toMatch(/^tk_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
  });

  it('verifies the audit chain the commands wrote', async () => {
    const result = await runCli(['admin', 'audit', 'verify', '--org', orgId, '--json', ...target]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ ok: true, entries: 2 });
  });

  it('refuses a missing org with a clear message and exit 1', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    const result = await runCli(['admin', 'api-key', '--org', missing, ...target]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`error: organization ${missing} not found\n`);
  });

  it('refuses bad flags and bad values with usage exit 2', async () => {
    const badFlag = await runCli(['admin', 'org', 'list', '--bogus', ...target]);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain("unknown option '--bogus'");
    const badScope = await runCli(['admin', 'api-key', '--org', orgId, '--scopes', 'root', ...target]);
    expect(badScope.code).toBe(2);
    expect(badScope.stderr).toContain('expected one of');
    const badEmail = await runCli([
      'admin',
      'org',
      'create',
      '--name',
      'X',
      '--admin-email',
      'nope',
      ...target,
    ]);
    expect(badEmail.code).toBe(2);
    expect(badEmail.stderr).toContain('adminEmail');
    const badZone = await runCli([
      'admin',
      'org',
      'create',
      '--name',
      'X',
      '--admin-email',
      'a@x.test',
      '--time-zone',
      'Mars/Base',
      ...target,
    ]);
    expect(badZone.code).toBe(2);
    expect(badZone.stderr).toContain('unknown time zone');
  });

  it('says clearly when the database is unreachable', async () => {
    const result = await runCli([
      'admin',
      'org',
      'list',
      '--database-url',
      'postgres://root@127.0.0.1:1/none',
      '--json',
    ]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).error).toEqual({
      code: 'database_unavailable',
      message: expect.stringContaining('cannot connect to PostgreSQL at 127.0.0.1:1/none'),
    });
  });

  it('has --help everywhere', async () => {
    for (const args of [
      ['--help'],
      ['admin', '--help'],
      ['admin', 'org', 'create', '--help'],
      ['server', '--help'],
    ]) {
      const result = await runCli(args);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Usage: toktra');
    }
  });
});

describe('toktra server', { timeout: 180_000 }, () => {
  it('serves /healthz and /metrics on a fresh data dir, and reuses its data on restart', async () => {
    const dataDir = tempDir();
    const first = await spawnServer(['--data-dir', dataDir]);
    try {
      expect(await (await fetch(`${first.url}/healthz`)).json()).toEqual({ status: 'ok' });
      const metrics = await (await fetch(`${first.url}/metrics`)).text();
      expect(metrics).toContain('process_cpu_user_seconds_total');
      expect(metrics).toContain('toktra_http_request_duration_seconds');

      // Admin commands work while the server holds the embedded data dir: routed through it.
      const created = await runCli([
        'admin',
        'org',
        'create',
        '--name',
        'Kept',
        '--admin-email',
        'k@kept.test',
        '--json',
        '--data-dir',
        dataDir,
      ]);
      expect(created.code).toBe(0);

      // A second server on the same data dir is refused before it touches the files.
      const second = await runCli(['server', '--port', '0', '--data-dir', dataDir]);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(/in use by a running toktra server \(pid \d+\)\. Stop it first/);
    } finally {
      expect(await first.stop()).toBe(0);
    }
    const restarted = await spawnServer(['--data-dir', dataDir]);
    try {
      expect((await fetch(`${restarted.url}/healthz`)).status).toBe(200);
      expect(restarted.output()).not.toContain('database migrated');
    } finally {
      await restarted.stop();
    }
    const listed = await runCli(['admin', 'org', 'list', '--json', '--data-dir', dataDir]);
    expect(JSON.parse(listed.stdout).orgs.map((o: { name: string }) => o.name)).toEqual(['Kept']);
  });
});
