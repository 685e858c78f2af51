/**
 * CPU and memory of `toktra agent run` while loopback carries sustained TLS traffic, against
 * `tcpdump -U -w /dev/null` with the same filter and snap length, alone, in the same run.
 *
 *   node --import tsx bench/agent/run.ts [--seconds 20] [--keep 6] [--new 4]   (root; tcpdump, openssl)
 *
 * --keep: clients looping 256 kB answers on keep-alive connections; --new: clients opening a new
 * TLS connection per 32 kB answer.
 *
 * A real server runs in this process (PGlite), the agent is enrolled against it and ships what it
 * sees; at the end the server's event count is compared with the connections the clients made.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { adminCommands, startServer } from '@toktra/server';
import { captureFilter } from '../../apps/agent/src/run/tcpdump.js';

const SECONDS = process.argv.includes('--seconds')
  ? Number(process.argv[process.argv.indexOf('--seconds') + 1])
  : 20;
const flag = (name: string, fallback: number) =>
  process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback;
const KEEP = flag('--keep', 6);
const NEW = flag('--new', 4);
const TOKTRA = path.join(import.meta.dirname, '../../apps/cli/bin/toktra.js');
const TICK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
const AI_NAMES = ['api.openai.com', 'api.anthropic.com', 'chatgpt.com', 'claude.ai', 'api.mistral.ai'];

const SERVER_SOURCE = `
const https = require('node:https'); const fs = require('node:fs');
const srv = https.createServer({ cert: fs.readFileSync(process.env.CERT), key: fs.readFileSync(process.env.KEY) },
  (req, res) => { const n = Number(new URL(req.url, 'https://x').searchParams.get('size') || 100);
    req.resume(); req.on('end', () => res.end(Buffer.alloc(n, 97))); });
srv.keepAliveTimeout = 30000;
srv.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('ready'));
`;

// KEEP clients loop 256 kB answers over keep-alive connections; NEW clients open a new connection
// (full TLS handshake, a new flow for the agent) for every 32 kB answer. All under AI names.
const CLIENT_SOURCE = `
const https = require('node:https');
const names = process.env.NAMES.split(','); const port = Number(process.env.PORT);
const until = Date.now() + Number(process.env.SECONDS) * 1000;
let bytes = 0, requests = 0, connections = 0, running = 0;
const sockets = new WeakSet();
function loop(agent, name, size) {
  running++;
  const one = () => {
    if (Date.now() > until) { if (--running === 0) finish(); return; }
    const req = https.get({ host: '127.0.0.1', port, path: '/?size=' + size, servername: name,
      rejectUnauthorized: false, agent }, (res) => {
        if (!sockets.has(res.socket)) { sockets.add(res.socket); connections++; }
        res.on('data', (d) => { bytes += d.length; }); res.on('end', () => { requests++; one(); });
      });
    req.on('error', () => setTimeout(one, 10));
  };
  one();
}
function finish() { console.log(JSON.stringify({ bytes, requests, connections })); process.exit(0); }
for (let i = 0; i < Number(process.env.KEEP); i++)
  loop(new https.Agent({ keepAlive: true, maxSockets: 1 }), names[i % names.length], 262144);
for (let i = 0; i < Number(process.env.NEW); i++) loop(false, names[(i + 2) % names.length], 32768);
`;

interface Sample {
  cpu: number;
  rss: number;
}

function sample(pid: number): Sample | undefined {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { cpu: (Number(f[11]) + Number(f[12])) / TICK, rss: Number(rss?.[1] ?? 0) * 1024 };
  } catch {
    return undefined;
  }
}

const peakRss = (pid: number) =>
  Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function spawnNode(source: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['-e', source], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

const mib = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;

async function main() {
  const work = mkdtempSync(path.join(tmpdir(), 'toktra-bench-agent-'));
  const server = await startServer({
    host: '127.0.0.1',
    port: await freePort(),
    ingestPort: await freePort(),
    dataDir: path.join(work, 'server'),
    worker: false,
    logLevel: 'warn',
  });
  const { org_id: orgId } = (await adminCommands['org.create'].run(server.ctx, {
    name: 'Bench',
    adminEmail: 'bench@bench.test',
  })) as { org_id: string };
  const { token } = (await adminCommands['enroll-token.create'].run(server.ctx, {
    orgId,
    uses: 1,
    ttl: '1h',
  })) as { token: string };
  const stateDir = path.join(work, 'agent');
  const enroll = spawn(
    process.execPath,
    [TOKTRA, 'agent', 'enroll', '--server', server.url, '--token', token, '--state-dir', stateDir],
    { stdio: 'inherit' },
  );
  await once(enroll, 'exit');

  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=api.openai.com',
      '-addext',
      `subjectAltName=${AI_NAMES.map((n) => `DNS:${n}`).join(',')}`,
      '-keyout',
      path.join(work, 'k.pem'),
      '-out',
      path.join(work, 'c.pem'),
    ],
    { stdio: 'ignore' },
  );
  const port = await freePort();
  const tls = spawnNode(SERVER_SOURCE, {
    CERT: path.join(work, 'c.pem'),
    KEY: path.join(work, 'k.pem'),
    PORT: String(port),
  });
  await once(tls.stdout!, 'data');

  // BENCH_CPU_PROF=DIR writes a V8 CPU profile of the agent there (to see where its time goes).
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
  const agent = spawn(
    process.execPath,
    [...prof, TOKTRA, 'agent', 'run', '--state-dir', stateDir, '--interface', 'lo', '--ports', String(port)],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const pidFile = path.join(stateDir, 'tcpdump.pid');
  const agentTcpdump = await waitFor('the agent to capture', () => {
    if (!existsSync(pidFile)) return undefined;
    const status = JSON.parse(readFileSync(path.join(stateDir, 'status.json'), 'utf8'));
    return status.capture?.capturing ? Number(readFileSync(pidFile, 'utf8')) : undefined;
  });
  // The agent's own filter (pure IPv4 ACKs dropped in the kernel), so both capture the same packets.
  const filter = captureFilter([port]);
  const reference = spawn(
    'tcpdump',
    ['-U', '-n', '-w', '/dev/null', '-s', '4096', '-B', '8192', '--immediate-mode', '-i', 'lo', filter],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let refErr = '';
  reference.stderr.on('data', (d) => {
    refErr += d;
  });
  await waitFor('tcpdump to listen', () => (/listening on/.test(refErr) ? true : undefined));
  await new Promise((r) => setTimeout(r, 2000)); // let start-up settle before the baseline

  const pids = { agent: agent.pid!, agentTcpdump, reference: reference.pid! };
  const start = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, sample(pid)!])) as Record<
    keyof typeof pids,
    Sample
  >;
  const rss: Record<keyof typeof pids, number[]> = { agent: [], agentTcpdump: [], reference: [] };
  const clients = spawnNode(CLIENT_SOURCE, {
    NAMES: AI_NAMES.join(','),
    PORT: String(port),
    SECONDS: String(SECONDS),
    KEEP: String(KEEP),
    NEW: String(NEW),
  });
  let clientOut = '';
  clients.stdout!.on('data', (d) => {
    clientOut += d;
  });
  const t0 = Date.now();
  const sampler = setInterval(() => {
    for (const [k, pid] of Object.entries(pids)) rss[k as keyof typeof pids].push(sample(pid)?.rss ?? 0);
  }, 250);
  await once(clients, 'exit');
  const elapsed = (Date.now() - t0) / 1000;
  clearInterval(sampler);
  const end = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, sample(pid)!])) as Record<
    keyof typeof pids,
    Sample
  >;
  const peaks = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, peakRss(pid)])) as Record<
    keyof typeof pids,
    number
  >;
  const traffic = JSON.parse(clientOut.trim().split('\n').at(-1)!) as {
    bytes: number;
    requests: number;
    connections: number;
  };

  reference.kill('SIGINT');
  await once(reference, 'exit');
  const refPackets = /(\d+) packets captured/.exec(refErr)?.[1] ?? '?';
  const refDrops = /(\d+) packets dropped by kernel/.exec(refErr)?.[1] ?? '?';
  agent.kill('SIGTERM');
  await once(agent, 'exit');
  const status = JSON.parse(readFileSync(path.join(stateDir, 'status.json'), 'utf8'));
  const events = await server.ctx.db.system(({ db }) =>
    db
      .selectFrom('events')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('bytes_down').as('down')])
      .where('org_id', '=', orgId)
      .executeTakeFirstOrThrow(),
  );
  tls.kill();
  await server.close();

  const cpu = (k: keyof typeof pids) => end[k].cpu - start[k].cpu;
  const steady = (k: keyof typeof pids) => {
    const xs = rss[k].slice(Math.floor(rss[k].length / 2)).sort((a, b) => a - b);
    return xs[Math.floor(xs.length / 2)] ?? 0;
  };
  const agentCpu = cpu('agent') + cpu('agentTcpdump');
  const agentSteady = steady('agent') + steady('agentTcpdump');
  const agentPeak = peaks.agent + peaks.agentTcpdump;
  console.log(
    `${elapsed.toFixed(1)} s of traffic: ${(traffic.bytes / 1e6 / elapsed).toFixed(0)} MB/s of TLS payload, ` +
      `${traffic.requests} requests, ${traffic.connections} connections (${(traffic.connections / elapsed).toFixed(0)}/s); ` +
      `reference tcpdump: ${refPackets} packets, ${refDrops} dropped; agent: ${status.capture?.drops ?? '?'} dropped\n`,
  );
  console.log('| process | CPU s (user+sys) | CPU % of one core | steady RSS | peak RSS |');
  console.log('|---|---:|---:|---:|---:|');
  const row = (name: string, c: number, s: number, p: number) =>
    console.log(
      `| ${name} | ${c.toFixed(2)} | ${((100 * c) / elapsed).toFixed(1)} % | ${mib(s)} | ${mib(p)} |`,
    );
  row('agent: node (engine, attribution, queue, shipping)', cpu('agent'), steady('agent'), peaks.agent);
  row('agent: its tcpdump -U -w -', cpu('agentTcpdump'), steady('agentTcpdump'), peaks.agentTcpdump);
  row('**agent total**', agentCpu, agentSteady, agentPeak);
  row('reference: tcpdump -U -w /dev/null', cpu('reference'), steady('reference'), peaks.reference);
  console.log(
    `\nratios agent/reference: CPU ${(agentCpu / Math.max(0.01, cpu('reference'))).toFixed(1)}×, ` +
      `steady RSS ${(agentSteady / Math.max(1, steady('reference'))).toFixed(1)}×, peak RSS ${(agentPeak / Math.max(1, peaks.reference)).toFixed(1)}×`,
  );
  // One event per request/response exchange (issue 18): compare with the requests made.
  console.log(
    `events at the server: ${events.n} for ${traffic.requests} requests on ${traffic.connections} client ` +
      `connections; ${(Number(events.down) / 1e6).toFixed(1)} MB down reported vs ${(traffic.bytes / 1e6).toFixed(1)} MB of answers received ` +
      `(TLS framing adds a little; connections still open at the end are reported on shutdown)`,
  );
  process.exit(0);
}

await main();
