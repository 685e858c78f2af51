import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
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
  startAiServer,
  TOKTRA,
  tempDir,
  waitFor,
} from './e2e-helpers.js';

const MARKER = `PROXY-SECRET-${Math.random().toString(36).slice(2)}`;
const OTHER_USER = 'toktra-e2e';

let pg: TestDatabase | undefined;
let server: RunningServer;
let orgId = '';
let aiPort = 0;
let proxyPort = 0;
let aiServer: { close(): Promise<void> };
let agent: (ChildProcess & { output: () => string }) | undefined;
let proxyAgentOutput = '';
const work = tempDir('toktra-proxy-e2e-');
const stateDir = path.join(work, 'agent-state');

function spawnToktra(args: string[]): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, [TOKTRA, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  return Object.assign(child, { output: () => output });
}

async function startProxyAgent() {
  agent = spawnToktra(['agent', 'run', '--state-dir', stateDir, '--proxy', `127.0.0.1:${proxyPort}`]);
  await waitFor(
    'the proxy to listen',
    async () => {
      const status = await agentStatus(stateDir);
      return (status.pid === agent?.pid && status.capture?.mode === 'proxy') || undefined;
    },
    60_000,
  );
}

async function stopAgent(signal: NodeJS.Signals = 'SIGTERM') {
  const current = agent;
  if (!current || current.exitCode !== null) return;
  const exited = new Promise((r) => current.once('exit', r));
  current.kill(signal);
  await exited;
}

/** Rows as stored by the server for this org (metadata only). */
const storedEvents = () =>
  server.ctx.db.system(({ db }) =>
    db
      .selectFrom('events')
      .select(['host', 'os_user', 'bytes_up', 'bytes_down', 'source', 'occurred_at'])
      .where('org_id', '=', orgId)
      .orderBy('occurred_at')
      .execute(),
  );

/**
 * curl through the proxy: CONNECT goes to `connectHost` (the proxy must not need DNS for AI
 * names here), while TLS carries `sni` — a CONNECT host that differs from the SNI.
 */
function curlViaProxy(sni: string, connectHost: string, user?: string): Promise<string> {
  const args = [
    '-sk',
    '--max-time',
    '20',
    '-x',
    `http://127.0.0.1:${proxyPort}`,
    '--connect-to',
    `${sni}:${aiPort}:${connectHost}:${aiPort}`,
    '-d',
    `prompt=${MARKER}`,
    `https://${sni}:${aiPort}/v1/chat/completions`,
  ];
  const [cmd, argv] = user ? ['runuser', ['-u', user, '--', 'curl', ...args]] : ['curl', args];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd as string, argv as string[], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`curl ${code}: ${err}`))));
  });
}

/** tcpdump of the proxy's upstream leg (proxy → AI server), resolved once it is listening. */
async function sniffUpstream(file: string) {
  const child = spawn('tcpdump', ['-i', 'lo', '-U', '-w', file, 'tcp', 'port', String(aiPort)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
      if (/listening on/.test(err)) resolve();
    });
    child.once('exit', () => reject(new Error(`tcpdump: ${err}`)));
  });
  return async () => {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGINT');
    await exited;
  };
}

/** Summed TCP payload per connection and direction, by tshark (an independent dissector). */
function tcpPayloadBySni(file: string): Map<string, { up: number; down: number }> {
  const out = spawnSync(
    'tshark',
    [
      '-r',
      file,
      '-o',
      `tls.desegment_ssl_records:TRUE`,
      '-T',
      'fields',
      '-e',
      'tcp.stream',
      '-e',
      'tcp.dstport',
      '-e',
      'tcp.len',
      '-e',
      'tls.handshake.extensions_server_name',
      '-e',
      'tcp.analysis.retransmission',
    ],
    { encoding: 'utf8' },
  ).stdout;
  const streams = new Map<string, { sni?: string; up: number; down: number }>();
  for (const line of out.trim().split('\n')) {
    const [stream = '', dstPort, len, sni, retransmission] = line.split('\t');
    const s = streams.get(stream) ?? { up: 0, down: 0 };
    if (!retransmission) {
      if (Number(dstPort) === aiPort) s.up += Number(len);
      else s.down += Number(len);
    }
    if (sni) s.sni = sni;
    streams.set(stream, s);
  }
  return new Map([...streams.values()].map((s) => [s.sni ?? '?', { up: s.up, down: s.down }]));
}

beforeAll(async () => {
  requireTools('tcpdump', 'curl', 'openssl', 'tshark', 'runuser');
  ensureLocalUser(OTHER_USER);
  if (process.env.TEST_DATABASE_URL) pg = await createTestDatabase({ migrate: false });
  server = await startServer({
    host: '127.0.0.1',
    port: await freePort(),
    ingestPort: await freePort(),
    dataDir: path.join(work, 'server'),
    ...(pg ? { databaseUrl: (pg.target as { url: string }).url } : {}),
    worker: false,
    logLevel: 'warn',
  });
  const ctx = server.ctx;
  orgId = (
    (await adminCommands['org.create'].run(ctx, { name: 'Proxy E2E', adminEmail: 'it@proxy.test' })) as {
      org_id: string;
    }
  ).org_id;
  const { token } = (await adminCommands['enroll-token.create'].run(ctx, { orgId, uses: 1, ttl: '1h' })) as {
    token: string;
  };
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
  aiPort = await freePort();
  proxyPort = await freePort();
  aiServer = await startAiServer(work, aiPort, MARKER);
  await startProxyAgent();
}, 180_000);

afterAll(async () => {
  agent?.kill('SIGKILL');
  await aiServer?.close();
  await server?.close();
  await pg?.drop();
});

describe('proxy mode (toktra agent run --proxy)', () => {
  it('reports tunnels by the ClientHello SNI with exact byte counts and the OS user', async () => {
    const pcap = path.join(work, 'upstream.pcap');
    const stopSniff = await sniffUpstream(pcap);
    // CONNECT 127.0.0.1 / localhost, TLS for the AI names: the SNI is what is reported.
    expect(await curlViaProxy('api.openai.com', '127.0.0.1')).toContain(MARKER);
    expect(await curlViaProxy('api.anthropic.com', 'localhost', OTHER_USER)).toContain(MARKER);
    expect(await curlViaProxy('example.org', '127.0.0.1')).toContain(MARKER); // never reported
    const events = await waitFor(
      'two proxy events at the server',
      async () => {
        const rows = await storedEvents();
        return rows.length >= 2 ? rows : undefined;
      },
      60_000,
    );
    await new Promise((r) => setTimeout(r, 6000)); // a third (example.org) event would have shipped
    await stopSniff();
    const rows = await storedEvents();
    expect(rows.map((e) => e.host).sort()).toEqual(['api.anthropic.com', 'api.openai.com']);
    expect(events.every((e) => e.source === 'proxy')).toBe(true);
    const byHost = new Map(rows.map((e) => [e.host, e]));
    expect(byHost.get('api.openai.com')?.os_user).toBe('root');
    expect(byHost.get('api.anthropic.com')?.os_user).toBe(OTHER_USER);

    const wire = tcpPayloadBySni(pcap);
    expect([...wire.keys()].sort()).toEqual(['api.anthropic.com', 'api.openai.com', 'example.org']);
    for (const host of ['api.openai.com', 'api.anthropic.com']) {
      const stored = byHost.get(host)!;
      expect({ up: stored.bytes_up, down: stored.bytes_down }).toEqual(wire.get(host));
      expect(stored.bytes_down).toBeGreaterThan(4000); // the 4 kB answer crossed the tunnel
    }
  }, 180_000);

  it('answers 405 to anything but CONNECT, and 502 when the target is unreachable', async () => {
    for (const method of ['GET', 'POST', 'PUT']) {
      const response = await fetch(`http://127.0.0.1:${proxyPort}/v1/chat/completions`, {
        method,
        body: method === 'GET' ? undefined : 'x',
      });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('CONNECT');
    }
    // A plain-HTTP proxy request (absolute URI) is not CONNECT either.
    const plain = spawnSync(
      'curl',
      [
        '-s',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        '-x',
        `http://127.0.0.1:${proxyPort}`,
        'http://example.org/',
      ],
      { encoding: 'utf8' },
    );
    expect(plain.stdout).toBe('405');
    const refused = await rawConnect(`127.0.0.1:${await freePort()}`);
    expect(refused.split('\r\n')[0]).toBe('HTTP/1.1 502 Bad Gateway');
  }, 60_000);

  it('forwards tunnels during a Privacy pause but records nothing', async () => {
    const before = (await storedEvents()).length;
    expect((await runToktra(['agent', 'privacy', 'pause', '--state-dir', stateDir])).code).toBe(0);
    expect(await curlViaProxy('api.openai.com', '127.0.0.1')).toContain(MARKER);
    expect(await curlViaProxy('api.anthropic.com', '127.0.0.1', OTHER_USER)).toContain(MARKER);
    await new Promise((r) => setTimeout(r, 7000));
    expect((await agentStatus(stateDir)).queue_depth).toBe(0);
    expect((await storedEvents()).length).toBe(before);
    expect((await runToktra(['agent', 'privacy', 'resume', '--state-dir', stateDir])).code).toBe(0);
  }, 120_000);

  it('on SIGTERM reports a tunnel that is still open, then exits', async () => {
    const before = (await storedEvents()).length;
    const held = await holdTunnel();
    await stopAgent('SIGTERM');
    expect(agent?.exitCode).toBe(0);
    expect(agent?.output()).toMatch(/stopping: flushing in-flight connections/);
    const rows = await waitFor(
      'the in-flight tunnel at the server',
      async () => {
        const r = await storedEvents();
        return r.length === before + 1 ? r : undefined;
      },
      30_000,
    );
    expect(rows.at(-1)).toMatchObject({ host: 'api.openai.com', os_user: 'root' });
    expect(rows.at(-1)!.bytes_down).toBeGreaterThan(4000);
    held.destroy();
    proxyAgentOutput = agent?.output() ?? '';
  }, 120_000);

  it('logs nothing sensitive: no host name, payload or user of observed traffic', () => {
    const output = proxyAgentOutput;
    expect(output).not.toContain(MARKER);
    for (const secret of ['api.openai.com', 'api.anthropic.com', 'example.org', OTHER_USER])
      expect(output).not.toContain(secret);
  });
});

describe('capture mode shutdown and health', () => {
  it('shows capture health in status, and on SIGTERM reports a connection still open', async () => {
    const before = (await storedEvents()).length;
    agent = spawnToktra([
      'agent',
      'run',
      '--state-dir',
      stateDir,
      '--interface',
      'lo',
      '--ports',
      String(aiPort),
    ]);
    await waitFor(
      'the capture to start',
      async () => {
        const status = await agentStatus(stateDir);
        return (status.pid === agent?.pid && status.capture?.capturing === true) || undefined;
      },
      60_000,
    );
    const held = await holdTunnel(true);
    const status = await waitFor(
      'capture counters in the status',
      async () => {
        const s = await agentStatus(stateDir);
        return (s.capture as { packets?: number } | null)?.packets ? s : undefined;
      },
      30_000,
    );
    expect(status.capture?.drops).toBe(0);
    const human = await runToktra(['agent', 'status', '--state-dir', stateDir]);
    expect(human.stdout).toMatch(/Capture:\s+capturing, [\d,]+ packets seen, 0 dropped by the kernel/);
    await stopAgent('SIGTERM');
    expect(agent?.exitCode).toBe(0);
    const rows = await waitFor(
      'the open connection at the server',
      async () => {
        const r = await storedEvents();
        return r.length === before + 1 ? r : undefined;
      },
      30_000,
    );
    expect(rows.at(-1)).toMatchObject({ host: 'api.openai.com', os_user: 'root', source: 'agent' });
    expect(rows.at(-1)!.bytes_down).toBeGreaterThan(4000);
    held.destroy();
    const output = agent?.output() ?? '';
    expect(output).not.toContain(MARKER);
    expect(output).not.toContain('api.openai.com');
  }, 180_000);
});

describe('least privilege (the systemd unit in docs/agent/install.md)', () => {
  it('captures as an unprivileged user holding only CAP_NET_RAW + CAP_NET_ADMIN, and says so without them', async () => {
    const before = (await storedEvents()).length;
    const dir = mkdtempSync(path.join(tmpdir(), 'toktra-caps-'));
    const state = path.join(dir, 'state');
    cpSync(stateDir, state, { recursive: true });
    for (const f of ['status.json', 'tcpdump.pid']) rmSync(path.join(state, f), { force: true });
    execFileSync('chown', ['-R', OTHER_USER, dir]);
    const as = ['--reuid', OTHER_USER, '--regid', OTHER_USER, '--clear-groups'];
    const caps = ['--inh-caps', '+net_raw,+net_admin', '--ambient-caps', '+net_raw,+net_admin'];
    const bounding = ['--bounding-set', '-all,+net_raw,+net_admin'];
    const run = (withCaps: boolean) => {
      const child = spawn(
        'setpriv',
        [
          ...as,
          ...(withCaps ? [...caps, ...bounding] : []),
          '--',
          process.execPath,
          TOKTRA,
          'agent',
          'run',
          '--state-dir',
          state,
          '--interface',
          'lo',
          '--ports',
          String(aiPort),
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      child.stdout.on('data', (d) => {
        output += d;
      });
      child.stderr.on('data', (d) => {
        output += d;
      });
      return Object.assign(child, { output: () => output });
    };
    const denied = run(false);
    const code = await new Promise<number | null>((r) => denied.once('exit', (c) => r(c)));
    expect(code).toBe(1);
    expect(denied.output()).toMatch(/lacks packet-capture privileges.*CAP_NET_RAW and CAP_NET_ADMIN/);

    const capable = run(true);
    try {
      await waitFor(
        'the unprivileged agent to capture',
        async () => {
          const status = await agentStatus(state);
          return (status.pid === capable.pid && status.capture?.capturing === true) || undefined;
        },
        60_000,
      );
      await curl('api.anthropic.com', aiPort, MARKER);
      const rows = await waitFor(
        'the event from the unprivileged agent',
        async () => {
          const r = await storedEvents();
          return r.length === before + 1 ? r : undefined;
        },
        60_000,
      );
      expect(rows.at(-1)).toMatchObject({ host: 'api.anthropic.com', os_user: 'root', source: 'agent' });
    } finally {
      const exited = new Promise((r) => capable.once('exit', r));
      capable.kill('SIGTERM');
      await exited;
    }
  }, 180_000);
});

/** Sends a bare CONNECT and returns the proxy's answer. */
function rawConnect(target: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(proxyPort, '127.0.0.1', () =>
      socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`),
    );
    let answer = '';
    socket.on('data', (d) => {
      answer += d;
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

/**
 * A TLS session (through the proxy, or direct) that is still open after its answer arrived (the server's
 * keep-alive lasts 5 s; the session keeps the connection busy until it is destroyed).
 */
async function holdTunnel(direct = false): Promise<tls.TLSSocket> {
  const options = { servername: 'api.openai.com', rejectUnauthorized: false };
  let session: tls.TLSSocket;
  if (direct) {
    session = tls.connect({ ...options, host: '127.0.0.1', port: aiPort });
  } else {
    const raw = net.connect(proxyPort, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      raw.once('connect', () => raw.write(`CONNECT 127.0.0.1:${aiPort} HTTP/1.1\r\nHost: x\r\n\r\n`));
      raw.once('data', (d) => (/^HTTP\/1\.1 200/.test(d.toString()) ? resolve() : reject(new Error(`${d}`))));
      raw.once('error', reject);
    });
    session = tls.connect({ ...options, socket: raw });
  }
  let received = '';
  session.on('data', (d) => {
    received += d;
  });
  const ask = () =>
    session.write(
      'POST /v1/chat/completions HTTP/1.1\r\nHost: api.openai.com\r\nContent-Length: 2\r\n\r\nhi',
    );
  ask();
  await waitFor('the first answer', () => received.includes(MARKER) || undefined, 30_000);
  // Keep the connection from idling out until the agent has been stopped.
  const keepAlive = setInterval(ask, 1000);
  session.once('close', () => clearInterval(keepAlive));
  return session;
}
