import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '@toktra/db/testing';
import { adminCommands, type RunningServer, startServer } from '@toktra/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agentStatus,
  curl,
  ensureLocalUser,
  freePort,
  requireTools,
  runToktra,
  spawnAgent,
  startAiServer,
  tempDir,
  waitFor,
} from './e2e-helpers.js';

const MARKER = `PROMPT-SECRET-${Math.random().toString(36).slice(2)}`;
const OTHER_USER = 'toktra-e2e';

let pg: TestDatabase | undefined;
let server: RunningServer;
let serverOptions: Parameters<typeof startServer>[0];
let apiKey = '';
let deviceId = '';
let aiPort = 0;
let aiServer: { close(): Promise<void> };
let agent: ChildProcess & { output: () => string };
const work = tempDir();
const stateDir = path.join(work, 'agent-state');
const keylog = path.join(work, 'agent-keys.log');

async function api(method: string, url: string, body?: unknown) {
  const response = await fetch(`${server.url}${url}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown> & {
      data?: Array<Record<string, unknown>>;
      totals?: { events: number };
    },
  };
}

const totalEvents = async () => (await api('GET', '/v1/usage?group_by=user')).body.totals?.events ?? 0;

async function restartAgent(options: { keylog?: string } = {}) {
  agent = spawnAgent(stateDir, aiPort, options);
  await waitFor('the agent to capture', async () => {
    // The status file of a previous run must not count: it has to be this process's.
    const status = await agentStatus(stateDir);
    return (status.pid === agent.pid && status.capture?.capturing === true) || undefined;
  });
}

function killAgent(signal: NodeJS.Signals = 'SIGKILL') {
  const exited = new Promise((r) => agent.once('exit', r));
  agent.kill(signal);
  return exited;
}

beforeAll(async () => {
  requireTools('tcpdump', 'curl', 'openssl', 'tshark', 'runuser');
  ensureLocalUser(OTHER_USER);
  if (process.env.TEST_DATABASE_URL) pg = await createTestDatabase({ migrate: false });
  serverOptions = {
    host: '127.0.0.1',
    port: await freePort(),
    ingestPort: await freePort(),
    dataDir: path.join(work, 'server'),
    ...(pg ? { databaseUrl: (pg.target as { url: string }).url } : {}),
    worker: false,
    logLevel: 'warn',
  };
  server = await startServer(serverOptions);
  const ctx = server.ctx;
  const { org_id: orgId } = (await adminCommands['org.create'].run(ctx, {
    name: 'E2E',
    adminEmail: 'it@e2e.test',
  })) as { org_id: string };
  apiKey = (
    (await adminCommands['api-key.create'].run(ctx, { orgId, name: 'e2e', scopes: ['read', 'write'] })) as {
      api_key: string;
    }
  ).api_key;
  const { token } = (await adminCommands['enroll-token.create'].run(ctx, { orgId, uses: 1, ttl: '1h' })) as {
    token: string;
  };
  const alice = await api('POST', '/v1/users', { email: 'alice@e2e.test', name: 'Alice' });
  const bob = await api('POST', '/v1/users', { email: 'bob@e2e.test', name: 'Bob' });
  expect(alice.status).toBe(201);
  await api('POST', '/v1/os-user-mappings', { os_user: 'root', user_id: alice.body.id });
  await api('POST', '/v1/os-user-mappings', { os_user: OTHER_USER, user_id: bob.body.id });

  const enrolled = await runToktra([
    'agent',
    'enroll',
    '--server',
    server.url,
    '--token',
    token,
    '--state-dir',
    stateDir,
  ]);
  expect(enrolled.stderr).toBe('');
  expect(enrolled.code).toBe(0);
  deviceId = JSON.parse(readFileSync(path.join(stateDir, 'enrollment.json'), 'utf8')).device_id;
  aiPort = await freePort();
  aiServer = await startAiServer(work, aiPort, MARKER);
}, 120_000);

afterAll(async () => {
  agent?.kill('SIGKILL');
  await aiServer?.close();
  await server?.close();
  await pg?.drop();
});

describe('the agent end to end', () => {
  it('keeps its private key to itself (0600) and refuses a second enrollment clearly', async () => {
    const mode = spawnSync('stat', ['-c', '%a', path.join(stateDir, 'identity/device-key.pem')], {
      encoding: 'utf8',
    }).stdout.trim();
    expect(mode).toBe('600');
    const again = await runToktra([
      'agent',
      'enroll',
      '--server',
      server.url,
      '--token',
      'x',
      '--state-dir',
      stateDir,
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already enrolled .*--force/);
    const badToken = await runToktra([
      'agent',
      'enroll',
      '--server',
      server.url,
      '--token',
      'nope',
      '--state-dir',
      tempDir(),
      '--force',
    ]);
    expect(badToken.code).toBe(1);
    expect(badToken.stderr).toMatch(/refused the enrollment/);
    const unreachable = await runToktra([
      'agent',
      'enroll',
      '--server',
      `http://127.0.0.1:${await freePort()}`,
      '--token',
      't',
      '--state-dir',
      tempDir(),
    ]);
    expect(unreachable.stderr).toMatch(
      /cannot reach the Toktra server at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/,
    );
  });

  it('ships real connections within seconds, attributed to the OS user who made them; no payload byte leaves', async () => {
    const sniff = spawn(
      'tcpdump',
      [
        '-i',
        'lo',
        '-U',
        // Without it packets reach tcpdump in blocks up to 1 s late, and stopping it right after
        // the server saw the events could lose the very batch this test decrypts.
        '--immediate-mode',
        '-w',
        path.join(work, 'agent-out.pcap'),
        'tcp',
        'port',
        String(serverOptions.ingestPort),
      ],
      { stdio: 'ignore' },
    );
    await new Promise((r) => setTimeout(r, 1000));
    await restartAgent({ keylog });
    await curl('api.openai.com', aiPort, MARKER);
    await curl('api.openai.com', aiPort, MARKER);
    await curl('api.anthropic.com', aiPort, MARKER, OTHER_USER);
    await curl('example.org', aiPort, MARKER); // not an AI host: must never be reported
    await waitFor(
      '3 events at the server',
      async () => ((await totalEvents()) >= 3 ? true : undefined),
      30_000,
    );
    const byUser = await api('GET', '/v1/usage?group_by=user');
    const events = Object.fromEntries((byUser.body.data ?? []).map((row) => [row.user_id, row.events]));
    const users = await api('GET', '/v1/users');
    const id = (email: string) => (users.body.data ?? []).find((u) => u.email === email)?.id as string;
    expect(events).toEqual({ [id('alice@e2e.test')]: 2, [id('bob@e2e.test')]: 1 });
    expect(byUser.body.totals?.events).toBe(3);

    await new Promise((r) => setTimeout(r, 1500));
    sniff.kill('SIGINT');
    await new Promise((r) => sniff.once('exit', r));
    const raw = readFileSync(path.join(work, 'agent-out.pcap'));
    expect(raw.includes(Buffer.from(MARKER))).toBe(false);
    // Decrypt what the agent sent with its own TLS keys: only metadata fields, no marker, no other host.
    const decoded = spawnSync(
      'tshark',
      [
        '-r',
        path.join(work, 'agent-out.pcap'),
        '-o',
        `tls.keylog_file:${keylog}`,
        '-d',
        `tcp.port==${serverOptions.ingestPort},tls`,
        '-Y',
        'http.request.method == "POST"',
        '-T',
        'fields',
        '-e',
        'http.request.uri',
        '-e',
        'http.file_data',
      ],
      { encoding: 'utf8' },
    );
    const posts = decoded.stdout.trim().split('\n').filter(Boolean);
    const batches = posts.filter((line) => line.startsWith('/ingest/v1/batches'));
    expect(batches.length, `decrypted POSTs: ${decoded.stdout}${decoded.stderr}`).toBeGreaterThan(0);
    const allowed = new Set([
      'id',
      'occurred_at',
      'ended_at',
      'host',
      'transport',
      'bytes_up',
      'bytes_down',
      'duration_ms',
      'os_user',
      'os_user_unknown',
      // The connection's id (a UUIDv7 made on the device) and the exchange's number on it.
      'connection_id',
      'seq',
      'personal',
      'source',
    ]);
    let sent = 0;
    for (const line of batches) {
      const field = line.split('\t')[1] ?? '';
      const text = /^[0-9a-f:]+$/i.test(field)
        ? Buffer.from(field.replaceAll(':', ''), 'hex').toString('utf8')
        : field;
      expect(text).not.toContain(MARKER);
      expect(text).not.toContain('example.org');
      for (const event of JSON.parse(text).events as Array<Record<string, unknown>>) {
        expect(Object.keys(event).every((k) => allowed.has(k))).toBe(true);
        sent += 1;
      }
    }
    expect(sent).toBe(3);
  }, 90_000);

  it('loses nothing and doubles nothing across kill -9 and a server outage', async () => {
    const before = await totalEvents();
    await server.close();
    let serverDown = true;
    try {
      for (let i = 0; i < 5; i++) await curl('api.openai.com', aiPort, MARKER);
      await waitFor('5 queued events', async () =>
        (await agentStatus(stateDir)).queue_depth === 5 ? true : undefined,
      );
      await killAgent();
      await restartAgent();
      for (let i = 0; i < 3; i++) await curl('api.anthropic.com', aiPort, MARKER);
      await waitFor('8 queued events', async () =>
        (await agentStatus(stateDir)).queue_depth === 8 ? true : undefined,
      );
      await new Promise((r) => setTimeout(r, Math.random() * 1500));
      await killAgent();
      server = await startServer(serverOptions);
      serverDown = false;
      await restartAgent();
      await new Promise((r) => setTimeout(r, Math.random() * 800)); // kill it again while it ships
      await killAgent();
      await restartAgent();
      await waitFor(
        'all 8 events at the server',
        async () => ((await totalEvents()) === before + 8 ? true : undefined),
        40_000,
      );
      await new Promise((r) => setTimeout(r, 6000));
      expect(await totalEvents()).toBe(before + 8);
      const rows = await server.ctx.db.system(({ db }) =>
        db
          .selectFrom('events')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow(),
      );
      expect(Number(rows.n)).toBe(before + 8);
    } finally {
      // Later cases need a server and a running agent even if this one failed midway.
      if (serverDown) {
        server = await startServer(serverOptions);
        if (agent.exitCode !== null || agent.signalCode !== null) await restartAgent();
      }
    }
  }, 150_000);

  it('captures and sends nothing while Privacy Hours pause it', async () => {
    const before = await totalEvents();
    expect((await runToktra(['agent', 'privacy', 'pause', '--state-dir', stateDir])).code).toBe(0);
    await waitFor(
      'capture to stop',
      async () => ((await agentStatus(stateDir)).capture?.capturing === false ? true : undefined),
      30_000,
    );
    for (let i = 0; i < 3; i++) await curl('api.openai.com', aiPort, MARKER);
    await new Promise((r) => setTimeout(r, 7000));
    expect((await agentStatus(stateDir)).queue_depth).toBe(0);
    expect(await totalEvents()).toBe(before);
    await runToktra(['agent', 'privacy', 'resume', '--state-dir', stateDir]);
    await waitFor(
      'capture to resume',
      async () => ((await agentStatus(stateDir)).capture?.capturing === true ? true : undefined),
      30_000,
    );
    const device = await api('GET', `/v1/devices/${deviceId}`);
    expect(device.body.privacy_state).toBeDefined();
  }, 120_000);

  it('keeps personal-mode events on the device, out of corporate tables', async () => {
    const before = await totalEvents();
    await runToktra(['agent', 'personal', 'on', '--state-dir', stateDir]);
    await curl('api.openai.com', aiPort, MARKER);
    await waitFor('a personal event', () => {
      const status = JSON.parse(readFileSync(path.join(stateDir, 'status.json'), 'utf8'));
      return status.personal_queue.pending === 1 ? true : undefined;
    });
    await new Promise((r) => setTimeout(r, 6000));
    expect(await totalEvents()).toBe(before);
    await runToktra(['agent', 'personal', 'off', '--state-dir', stateDir]);
  }, 120_000);

  it('stops shipping once the device is revoked, and says why', async () => {
    expect((await api('POST', `/v1/devices/${deviceId}/revoke`)).status).toBe(200);
    await curl('api.openai.com', aiPort, MARKER);
    const status = await waitFor(
      'the refusal',
      async () => {
        const s = await agentStatus(stateDir);
        return s.shipping === 'refused' ? s : undefined;
      },
      20_000,
    );
    expect(status.shipping_problem).toMatch(/revoked/);
    expect(status.queue_depth).toBe(1);
    const human = await runToktra(['agent', 'status', '--state-dir', stateDir]);
    expect(human.stdout).toMatch(/Shipping:\s+refused — .*revoked/);
  }, 120_000);
});
