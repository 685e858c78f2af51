import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '@toktra/db/testing';
import { adminCommands, type RunningServer, startServer } from '@toktra/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnrollment } from '../src/identity/enrollment.js';
import { IngestClient } from '../src/shipping/ingest-client.js';
import { statePaths } from '../src/state-dir.js';
import {
  agentStatus,
  curl,
  ensureLocalUser,
  freePort,
  requireTools,
  runToktra,
  spawnAgent,
  startAiServer,
  TOKTRA,
  tempDir,
  waitFor,
} from './e2e-helpers.js';

/**
 * Privacy Hours end to end: an employee sets a schedule window in the portal (the real HTTP API,
 * with their session), the real agent (tcpdump on loopback) learns it over mTLS and, during the
 * window, captures and sends nothing — then, on a shared device, keeps observing a colleague who
 * is not private, and lets that colleague pause without sudo.
 */
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
let session = { cookie: '', csrf: '' };
/** Records the agent's traffic to ingest from its first connection (TLS needs the handshake to decrypt). */
let sniff: ChildProcess;
let ownerId = '';
const work = tempDir();
const stateDir = path.join(work, 'agent-state');
const keylog = path.join(work, 'agent-keys.log');

type Body = Record<string, unknown> & {
  id?: string;
  state?: string;
  privacy_state?: string;
  user?: { id: string };
  data?: Array<Record<string, unknown>>;
};

async function api(method: string, url: string, body?: unknown, as: 'key' | 'employee' = 'key') {
  const auth: Record<string, string> =
    as === 'key'
      ? { authorization: `Bearer ${apiKey}` }
      : { cookie: session.cookie, 'x-csrf-token': session.csrf };
  const response = await fetch(`${server.url}${url}`, {
    method,
    headers: { ...auth, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, body: (await response.json()) as Body };
}

async function eventsOf(userId: string): Promise<number> {
  const rows = (await api('GET', '/v1/usage?group_by=user')).body.data as unknown as Array<{
    user_id: string;
    events: number;
  }>;
  return rows.find((r) => r.user_id === userId)?.events ?? 0;
}

/** "HH:MM" in `zone`, `minutes` from now. */
function clock(zone: string, minutes: number): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(Date.now() + minutes * 60_000));
}

async function startAgent() {
  agent = spawnAgent(stateDir, aiPort, { keylog });
  await waitFor('this agent’s status', async () =>
    (await agentStatus(stateDir)).pid === agent.pid ? true : undefined,
  );
}

async function capturing(expected: boolean, what: string) {
  await waitFor(
    what,
    async () => ((await agentStatus(stateDir)).capture?.capturing === expected ? true : undefined),
    30_000,
  );
}

beforeAll(async () => {
  requireTools('tcpdump', 'curl', 'openssl', 'tshark', 'runuser');
  ensureLocalUser(OTHER_USER);
  process.env.TOKTRA_AGENT_PRIVACY_POLL_MS = '1000';
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
  const created = (await adminCommands['org.create'].run(ctx, {
    name: 'Privacy',
    adminEmail: 'pat@privacy.test',
  })) as {
    org_id: string;
    admin_password: string;
  };
  apiKey = (
    (await adminCommands['api-key.create'].run(ctx, {
      orgId: created.org_id,
      name: 'e2e',
      scopes: ['read', 'write', 'admin'],
    })) as { api_key: string }
  ).api_key;
  const signIn = await fetch(`${server.url}/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'pat@privacy.test', password: created.admin_password }),
  });
  expect(signIn.status).toBe(200);
  session = {
    cookie: (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '',
    csrf: ((await signIn.json()) as { csrf_token: string }).csrf_token,
  };
  ownerId = (await api('GET', '/v1/me', undefined, 'employee')).body.user?.id ?? '';
  // Pat's laptop: Pat owns the device, so every account on it is attributed to Pat.
  const { token } = (await adminCommands['enroll-token.create'].run(ctx, {
    orgId: created.org_id,
    uses: 1,
    ttl: '1h',
    userId: ownerId,
  })) as { token: string };
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
  expect(enrolled.code, enrolled.stderr).toBe(0);
  deviceId = JSON.parse(readFileSync(path.join(stateDir, 'enrollment.json'), 'utf8')).device_id;
  // The unprivileged account must reach the request directory inside the (root-owned) state dir.
  chmodSync(work, 0o711);
  aiPort = await freePort();
  aiServer = await startAiServer(work, aiPort, MARKER);
  sniff = spawn(
    'tcpdump',
    [
      '-i',
      'lo',
      '-U',
      '--immediate-mode',
      '-w',
      path.join(work, 'agent.pcap'),
      'tcp',
      'port',
      String(serverOptions.ingestPort),
    ],
    { stdio: 'ignore' },
  );
  await new Promise((r) => setTimeout(r, 1000));
  await startAgent();
  await capturing(true, 'capture to start');
}, 120_000);

afterAll(async () => {
  sniff?.kill('SIGKILL');
  agent?.kill('SIGKILL');
  await aiServer?.close();
  await server?.close();
  await pg?.drop();
  delete process.env.TOKTRA_AGENT_PRIVACY_POLL_MS;
});

describe('Privacy Hours from the portal, enforced by the real agent', () => {
  it('a schedule window set in the portal stops capture on the device: nothing is captured or sent', async () => {
    await curl('api.openai.com', aiPort, MARKER);
    await waitFor('the baseline event', async () => ((await eventsOf(ownerId)) >= 1 ? true : undefined));
    const before = await eventsOf(ownerId);

    const zone = 'Asia/Kolkata'; // a zone unlike the machine's: the window is the employee's local time
    const window = { days: [], start: clock(zone, -2), end: clock(zone, 10) };
    const saved = await api(
      'PUT',
      '/v1/me/privacy/schedule',
      { time_zone: zone, windows: [window] },
      'employee',
    );
    expect(saved.status).toBe(200);
    expect(saved.body.state).toBe('active');
    await capturing(false, 'capture to stop for the window');

    const windowFrom = Date.now() / 1000;
    for (let i = 0; i < 3; i++) await curl('api.openai.com', aiPort, MARKER);
    await new Promise((r) => setTimeout(r, 7000)); // longer than a batch's 5 s
    await new Promise((r) => setTimeout(r, 1500));
    sniff.kill('SIGINT');
    await new Promise((r) => sniff.once('exit', r));

    const status = await agentStatus(stateDir);
    expect(status.queue_depth).toBe(0);
    expect(await eventsOf(ownerId)).toBe(before);
    // What the agent did send meanwhile, decrypted with its own TLS keys: no batch, only
    // heartbeats and Privacy Hours look-ups — and never the marker.
    const decoded = spawnSync(
      'tshark',
      [
        '-r',
        path.join(work, 'agent.pcap'),
        '-o',
        `tls.keylog_file:${keylog}`,
        '-d',
        `tcp.port==${serverOptions.ingestPort},tls`,
        '-Y',
        'http.request',
        '-T',
        'fields',
        '-e',
        'frame.time_epoch',
        '-e',
        'http.request.method',
        '-e',
        'http.request.uri',
      ],
      { encoding: 'utf8' },
    );
    const requests = decoded.stdout
      .trim()
      .split('\n')
      .filter((line) => Number(line.split('\t')[0]) >= windowFrom);
    expect(requests.length, decoded.stderr).toBeGreaterThan(0);
    expect(requests.filter((r) => r.includes('/ingest/v1/batches'))).toEqual([]);
    expect(readFileSync(path.join(work, 'agent.pcap')).includes(Buffer.from(MARKER))).toBe(false);

    // The admin sees that Privacy Hours are in use on the device — not the window.
    const device = await api('GET', `/v1/devices/${deviceId}`);
    expect(device.body.privacy_state).toBe('active');
    expect(JSON.stringify(device.body)).not.toContain(window.start);
  }, 120_000);

  it('tells the device (mTLS) only schedules keyed by its local account names, and answers bad input with 400', async () => {
    const paths = statePaths(stateDir);
    const enrollment = readEnrollment(paths);
    if (!enrollment) throw new Error('not enrolled');
    const client = new IngestClient(paths, enrollment);
    try {
      const answer = await client.get('/ingest/v1/privacy?os_users=root,nobody-here');
      expect(answer.status).toBe(200);
      expect(Object.keys(answer.body.os_users as object).sort()).toEqual(['nobody-here', 'root']);
      expect(answer.body.default).toMatchObject({ timeZone: 'Asia/Kolkata' });
      expect(JSON.stringify(answer.body)).not.toMatch(/@|pat|[0-9a-f]{8}-[0-9a-f]{4}-/);
      const tooMany = Array.from({ length: 300 }, (_, i) => `u${i}`).join(',');
      const bad = await client.get(`/ingest/v1/privacy?os_users=${tooMany}`);
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    } finally {
      client.close();
    }
  }, 30_000);

  it('keeps enforcing the last known window while the server is unreachable, across an agent restart', async () => {
    const exited = new Promise((r) => agent.once('exit', r));
    agent.kill('SIGKILL');
    await exited;
    await server.close();
    try {
      await startAgent();
      await new Promise((r) => setTimeout(r, 3000));
      expect((await agentStatus(stateDir)).capture?.capturing).toBe(false);
      await curl('api.openai.com', aiPort, MARKER);
      await new Promise((r) => setTimeout(r, 2000));
      expect((await agentStatus(stateDir)).queue_depth).toBe(0);
    } finally {
      server = await startServer(serverOptions);
    }
  }, 60_000);

  it('on a shared device, a colleague who is not private is still observed; the private person is not', async () => {
    const bob = await api('POST', '/v1/users', { email: 'bob@privacy.test', name: 'Bob' });
    await api('POST', '/v1/os-user-mappings', {
      os_user: OTHER_USER,
      user_id: bob.body.id as string,
      device_id: deviceId,
    });
    await capturing(true, 'capture to resume for the colleague');
    const patBefore = await eventsOf(ownerId);
    await curl('api.openai.com', aiPort, MARKER); // Pat (root → owner): private
    await curl('api.anthropic.com', aiPort, MARKER, OTHER_USER); // Bob: observed
    await waitFor('Bob’s event', async () =>
      (await eventsOf(bob.body.id as string)) === 1 ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 6000));
    expect(await eventsOf(ownerId)).toBe(patBefore);
    expect(await eventsOf(bob.body.id as string)).toBe(1);
  }, 90_000);

  it('lets the colleague pause without sudo: the request is theirs by file ownership and hides only them', async () => {
    const bobId = (
      (await api('GET', '/v1/users')).body.data as unknown as Array<{ id: string; email: string }>
    ).find((u) => u.email === 'bob@privacy.test')?.id as string;
    const asBob = (args: string[]) =>
      spawnSync(
        'runuser',
        [
          '-u',
          OTHER_USER,
          '--',
          process.execPath,
          TOKTRA,
          'agent',
          'privacy',
          ...args,
          '--state-dir',
          stateDir,
        ],
        {
          encoding: 'utf8',
        },
      );
    const paused = asBob(['pause', '--for', '30']);
    expect(paused.status, paused.stderr).toBe(0);
    expect(paused.stdout).toMatch(/Paused/);
    await curl('api.anthropic.com', aiPort, MARKER, OTHER_USER);
    await new Promise((r) => setTimeout(r, 7000));
    expect(await eventsOf(bobId)).toBe(1);
    const shown = asBob(['show']);
    expect(shown.stdout).toMatch(/private/);

    // Pat's portal window is still in force: the owner clears it, Bob resumes, and both are observed again.
    await api('PUT', '/v1/me/privacy/schedule', { time_zone: 'UTC', windows: [] }, 'employee');
    expect(asBob(['resume']).status).toBe(0);
    await new Promise((r) => setTimeout(r, 2500));
    const patBefore = await eventsOf(ownerId);
    await curl('api.openai.com', aiPort, MARKER);
    await curl('api.anthropic.com', aiPort, MARKER, OTHER_USER);
    await waitFor('both observed again', async () =>
      (await eventsOf(ownerId)) === patBefore + 1 && (await eventsOf(bobId)) === 2 ? true : undefined,
    );
  }, 90_000);
});
