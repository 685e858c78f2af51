import { createTestDatabase, type TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnServer, tempDir } from './cli-helpers.js';
import { makeAgentKeys } from './mtls-helpers.js';

// The real `toktra` binary against a running server: embedded PGlite (admin commands go through
// the server's admin socket) or the PostgreSQL server when TEST_DATABASE_URL is set.
let pg: TestDatabase | undefined;
let target: string[];
let server: Awaited<ReturnType<typeof spawnServer>>;

beforeAll(async () => {
  if (process.env.TEST_DATABASE_URL) {
    pg = await createTestDatabase({ migrate: false });
    target = ['--database-url', (pg.target as { url: string }).url];
  } else {
    target = ['--data-dir', tempDir()];
  }
  server = await spawnServer(target);
});
afterAll(async () => {
  await server?.stop();
  await pg?.drop();
});

async function cliJson(args: string[]) {
  const result = await runCli([...args, '--json', ...target]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout);
}

describe('toktra admin enroll-token and device revoke', { timeout: 90_000 }, () => {
  let orgId: string;
  let apiKey: string;

  beforeAll(async () => {
    orgId = (await cliJson(['admin', 'org', 'create', '--name', 'CliCo', '--admin-email', 'it@cli.test']))
      .org_id;
    apiKey = (await cliJson(['admin', 'api-key', '--org', orgId, '--scopes', 'read'])).api_key;
  });

  it('prints the server ingest URL on start', () => {
    expect(server.output()).toMatch(/Agent ingest \(mTLS\) at https:\/\/127\.0\.0\.1:\d+/);
  });

  it('issues a token with --json that enrolls exactly --uses devices', async () => {
    const body = await cliJson(['admin', 'enroll-token', '--org', orgId, '--uses', '2', '--ttl', '1h']);
    expect(body.token).toMatch(/^tkenr_[A-Za-z0-9_-]{43}$/);
    expect(body.max_uses).toBe(2);
    expect(Date.parse(body.expires_at) - Date.now()).toBeGreaterThan(59 * 60_000);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const agent = await makeAgentKeys();
      const res = await fetch(`${server.url}/v1/enroll`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          token: body.token,
          csr: agent.csrPem,
          hostname: `h${i}`,
          os: 'linux',
          agent_version: '1',
        }),
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 200, 401]);
  });

  it('refuses a bad --ttl and a missing org clearly', async () => {
    const badTtl = await runCli(['admin', 'enroll-token', '--org', orgId, '--ttl', 'forever', ...target]);
    expect(badTtl.code).not.toBe(0);
    expect(badTtl.stderr).toMatch(/ttl: use a number and a unit/);
    const missing = '00000000-0000-4000-8000-000000000000';
    const noOrg = await runCli(['admin', 'enroll-token', '--org', missing, ...target]);
    expect(noOrg.code).toBe(1);
    expect(noOrg.stderr).toBe(`error: organization ${missing} not found\n`);
  });

  it('revokes a device from the CLI', async () => {
    const { token } = await cliJson(['admin', 'enroll-token', '--org', orgId]);
    const agent = await makeAgentKeys();
    const enrolled = await fetch(`${server.url}/v1/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, csr: agent.csrPem, hostname: 'doomed', os: 'linux', agent_version: '1' }),
    }).then((r) => r.json());
    const revoked = await cliJson([
      'admin',
      'device',
      'revoke',
      '--org',
      orgId,
      '--device',
      enrolled.device_id,
    ]);
    expect(revoked).toMatchObject({ device_id: enrolled.device_id, status: 'revoked' });
    const device = await fetch(`${server.url}/v1/devices/${enrolled.device_id}`, {
      headers: { authorization: `Bearer ${apiKey}` },
    }).then((r) => r.json());
    expect(device.status).toBe('revoked');
    const unknown = await runCli(['admin', 'device', 'revoke', '--org', orgId, '--device', orgId, ...target]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/device .* not found/);
  });
});
