import type { ChildProcess } from 'node:child_process';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const execFileAsync = promisify(execFile);

/** Debian packages that provide each external tool the real-traffic tests drive. */
const PACKAGES: Record<string, string> = {
  tcpdump: 'tcpdump',
  tshark: 'tshark',
  editcap: 'tshark (wireshark-common)',
  chromium: 'chromium',
  openssl: 'openssl',
  curl: 'curl',
  ip: 'iproute2',
  ethtool: 'ethtool',
};

/** Fails loudly (never skips) when a tool is missing, naming the Debian package to install. */
export function requireTools(...tools: string[]): void {
  const missing = tools.filter((t) => {
    try {
      execFileSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) {
    const pkgs = [...new Set(missing.map((t) => PACKAGES[t] ?? t))].join(' ');
    throw new Error(`missing tools ${missing.join(', ')}: run apt-get install -y ${pkgs} (and run as root)`);
  }
  if (process.getuid?.() !== 0) throw new Error('real-capture tests need root (tcpdump, network namespaces)');
}

export function makeTempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Self-signed certificate covering the AI hostnames the tests connect to. */
export function makeCertificate(dir: string, names: string[]): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const san = names.map((n) => `DNS:${n}`).join(',');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '2',
      '-subj',
      `/CN=${names[0]}`,
      '-addext',
      `subjectAltName=${san}`,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

/**
 * Source of a tiny HTTPS server (run as a child, possibly inside a network namespace): GET /?size=N answers
 * N bytes. It also binds UDP on the same port so QUIC clients send their whole first flight into a sink.
 */
const SERVER_SOURCE = `
const https = require('node:https'); const fs = require('node:fs'); const dgram = require('node:dgram');
const port = Number(process.env.PORT); const hosts = (process.env.HOSTS || '127.0.0.1').split(',');
let ready = 0;
const done = () => { if (++ready === hosts.length * 2) console.log('ready'); };
for (const host of hosts) {
  const srv = https.createServer({ cert: fs.readFileSync(process.env.CERT), key: fs.readFileSync(process.env.KEY) },
    (req, res) => { const n = Number(new URL(req.url, 'https://x').searchParams.get('size') || 100);
      req.resume(); req.on('end', () => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end(Buffer.alloc(n, 97)); }); });
  srv.keepAliveTimeout = 100;
  srv.listen(port, host, done);
  const udp = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4'); udp.on('message', () => {}); udp.bind(port, host, done);
}`;

export interface Child {
  proc: ChildProcess;
  stop(): Promise<void>;
}

function prefixFor(netns?: string): string[] {
  return netns ? ['ip', 'netns', 'exec', netns] : [];
}

function spawnIn(netns: string | undefined, cmd: string[], env?: NodeJS.ProcessEnv): ChildProcess {
  const argv = [...prefixFor(netns), ...cmd];
  return spawn(argv[0]!, argv.slice(1), {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function waitForText(proc: ChildProcess, stream: 'stdout' | 'stderr', text: string): Promise<void> {
  let seen = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for "${text}": ${seen}`)), 15_000);
    proc[stream]!.on('data', (d: Buffer) => {
      seen += d.toString();
      if (seen.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`process exited (${code}) before "${text}": ${seen}`));
    });
  });
}

async function stopChild(proc: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = once(proc, 'exit');
  proc.kill(signal);
  await exited;
}

export async function startTlsServer(opts: {
  port: number;
  cert: string;
  key: string;
  hosts?: string[];
  netns?: string;
}): Promise<Child> {
  const proc = spawnIn(opts.netns, [process.execPath, '-e', SERVER_SOURCE], {
    PORT: String(opts.port),
    CERT: opts.cert,
    KEY: opts.key,
    HOSTS: (opts.hosts ?? ['127.0.0.1']).join(','),
  });
  await waitForText(proc, 'stdout', 'ready');
  return { proc, stop: () => stopChild(proc) };
}

/** Starts tcpdump writing `file`; resolves once it is listening so no early packet is missed. */
export async function startTcpdump(opts: {
  file: string;
  iface: string;
  filter: string;
  netns?: string;
  extra?: string[];
}): Promise<Child> {
  const cmd = [
    'tcpdump',
    '-Z',
    'root',
    '-i',
    opts.iface,
    '-U',
    '--immediate-mode',
    '-s',
    '0',
    ...(opts.extra ?? []),
    '-w',
    opts.file,
  ];
  const proc = spawnIn(opts.netns, [...cmd, ...opts.filter.split(' ')]);
  await waitForText(proc, 'stderr', 'listening on');
  return {
    proc,
    stop: async () => {
      await new Promise((r) => setTimeout(r, 300)); // let the last packets reach the capture buffer
      await stopChild(proc, 'SIGINT');
    },
  };
}

/** Network namespace with loopback at MTU 1500 and offloads off, so big ClientHellos become real segments. */
export function createNetns(name: string): { name: string; remove(): void } {
  try {
    execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
  } catch {
    // did not exist
  }
  execFileSync('ip', ['netns', 'add', name]);
  execFileSync('ip', ['netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up', 'mtu', '1500']);
  execFileSync(
    'ip',
    ['netns', 'exec', name, 'ethtool', '-K', 'lo', 'tso', 'off', 'gso', 'off', 'gro', 'off'],
    {
      stdio: 'ignore',
    },
  );
  return { name, remove: () => execFileSync('ip', ['netns', 'del', name]) };
}

export async function runCurl(url: string, resolve: string, netns?: string): Promise<void> {
  const argv = [
    ...prefixFor(netns),
    'curl',
    '-sk',
    '--max-time',
    '10',
    '--resolve',
    resolve,
    '-o',
    '/dev/null',
    url,
  ];
  await execFileAsync(argv[0]!, argv.slice(1));
}

export async function runOpenssl(connect: string, servername: string, netns?: string): Promise<void> {
  const argv = [...prefixFor(netns), 'openssl', 's_client', '-connect', connect, '-servername', servername];
  const proc = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'ignore', 'ignore'] });
  proc.stdin!.end('GET /?size=5000 HTTP/1.0\r\n\r\n');
  await once(proc, 'exit');
}

/** Headless Chromium loading one URL; host-resolver-rules map the AI hostname to loopback. */
export async function runChromium(opts: {
  url: string;
  map: string;
  netns?: string;
  quic?: string;
  timeoutMs?: number;
}): Promise<void> {
  const profile = makeTempDir('toktra-chromium-');
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${profile}`,
    `--host-resolver-rules=${opts.map}`,
    '--ignore-certificate-errors',
    ...(opts.quic ? ['--enable-quic', `--origin-to-force-quic-on=${opts.quic}`] : []),
    '--dump-dom',
    opts.url,
  ];
  const proc = spawnIn(opts.netns, ['chromium', ...args]);
  proc.stdout!.resume();
  proc.stderr!.resume();
  const timer = setTimeout(() => proc.kill('SIGKILL'), opts.timeoutMs ?? 15_000);
  await once(proc, 'exit');
  clearTimeout(timer);
}

export function writeText(path: string, text: string): void {
  writeFileSync(path, text);
}
