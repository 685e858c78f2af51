import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const TOKTRA = path.join(import.meta.dirname, '../../cli/bin/toktra.js');

export const tempDir = (prefix = 'toktra-agent-e2e-') => mkdtempSync(path.join(tmpdir(), prefix));

export function requireTools(...tools: string[]): void {
  for (const tool of tools) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
      throw new Error(`${tool} is required for this test (bash scripts/install-system-deps.sh installs it)`);
    }
  }
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** A TLS server under AI host names whose responses carry a marker that must never leave the agent. */
export async function startAiServer(dir: string, port: number, marker: string) {
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
      'subjectAltName=DNS:api.openai.com,DNS:api.anthropic.com,DNS:example.org',
      '-keyout',
      path.join(dir, 'ai.key'),
      '-out',
      path.join(dir, 'ai.crt'),
    ],
    { stdio: 'ignore' },
  );
  const server = https.createServer(
    { key: readFileSync(path.join(dir, 'ai.key')), cert: readFileSync(path.join(dir, 'ai.crt')) },
    (req, res) => {
      req.resume();
      // Like a model API, answer after a short think rather than instantly.
      req.on('end', () => setTimeout(() => res.end(`${marker} ${'z'.repeat(4000)}`), 150));
    },
  );
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A real HTTPS request with curl, optionally as another local user. */
export function curl(host: string, port: number, marker: string, user?: string): Promise<void> {
  const args = [
    '-sk',
    '--max-time',
    '10',
    '--resolve',
    `${host}:${port}:127.0.0.1`,
    '-d',
    `prompt=${marker}`,
    `https://${host}:${port}/v1/chat/completions`,
  ];
  const [cmd, argv] = user ? ['runuser', ['-u', user, '--', 'curl', ...args]] : ['curl', args];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd as string, argv as string[], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`curl failed (${code}): ${stderr}`)),
    );
  });
}

export function ensureLocalUser(name: string): void {
  if (spawnSync('id', [name]).status !== 0)
    execFileSync('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', name]);
}

/** Runs the CLI without blocking this process (the server under test may live in it). */
export function runToktra(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TOKTRA, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `toktra agent run` as a child process (optionally writing TLS session keys for decryption). */
export function spawnAgent(
  stateDir: string,
  port: number,
  options: { keylog?: string } = {},
): ChildProcess & { output: () => string } {
  const nodeArgs = options.keylog ? [`--tls-keylog=${options.keylog}`] : [];
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      TOKTRA,
      'agent',
      'run',
      '--state-dir',
      stateDir,
      '--interface',
      'lo',
      '--ports',
      String(port),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  return Object.assign(child, { output: () => output });
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function agentStatus(stateDir: string): Promise<{
  pid: number | null;
  queue_depth: number | null;
  running: boolean;
  shipping: string | null;
  shipping_problem: string | null;
  capture: { capturing?: boolean; mode?: 'capture' | 'proxy'; drops?: number } | null;
}> {
  return JSON.parse((await runToktra(['agent', 'status', '--state-dir', stateDir, '--json'])).stdout);
}
