/**
 * Start-up benchmark: the compiled `toktra` CLI (apps/cli/dist, esbuild) beside the TypeScript
 * sources through tsx (TOKTRA_TSX=1, as before issue 21) and beside bare references in the same run:
 * `node -e 0` and a bare `http.createServer().listen()` for readiness.
 *
 * Measures (wall time, median of --runs; the first demo start once per mode):
 *   - `toktra --version`
 *   - `toktra admin org list` without a server (embedded PGlite data dir; PostgreSQL too when
 *     --database-url or TEST_DATABASE_URL is given)
 *   - `toktra server` ready (/healthz answers) on an existing data dir, and the first `--demo` start
 *   - `toktra admin org list` through the running server (admin socket)
 *
 * Run: node bench/startup/run.mjs [--runs 5] [--database-url postgres://…] [--no-tsx]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] ? args[at + 1] : fallback;
};
const RUNS = Number(flag('--runs', '5'));
const DATABASE_URL = flag('--database-url', process.env.TEST_DATABASE_URL || '');
const TOKTRA = path.join(import.meta.dirname, '../../apps/cli/bin/toktra.js');
const baseEnv = {
  ...process.env,
  DATABASE_URL: '',
  TOKTRA_DATA_DIR: '',
  TOKTRA_WEB_BUILD: '0',
  LOG_LEVEL: 'warn',
};

/** Wall time of a command to exit, in ms; throws on a non-zero exit. */
function timeExit(cmd, argv, env = baseEnv) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, argv, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('close', (code) =>
      code === 0
        ? resolve(performance.now() - started)
        : reject(new Error(`${argv.join(' ')}: ${code} ${err}`)),
    );
  });
}

/** Starts a server; resolves with its ready time (ms, until /healthz answers) and a stop function. */
function startServer(argv, env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [TOKTRA, 'server', '--port', '0', '--log-level', 'warn', ...argv], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const onData = async (d) => {
      out += d;
      const match = /Toktra is running at (\S+)/.exec(out);
      if (!match) return;
      child.stderr.off('data', onData);
      const response = await fetch(`${match[1]}/healthz`);
      if (!response.ok) return reject(new Error(`healthz ${response.status}`));
      resolve({
        ms: performance.now() - started,
        stop: () =>
          new Promise((r) => {
            child.once('exit', r);
            child.kill('SIGTERM');
          }),
      });
    };
    child.stderr.on('data', onData);
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function repeat(n, fn) {
  const xs = [];
  for (let i = 0; i < n; i++) xs.push(await fn());
  return median(xs);
}

const bareHttp =
  "require('node:http').createServer((q,s)=>s.end('ok')).listen(0,'127.0.0.1',function(){fetch('http://127.0.0.1:'+this.address().port).then(()=>process.exit(0))})";

async function measure(mode) {
  const env = mode === 'tsx' ? { ...baseEnv, TOKTRA_TSX: '1' } : baseEnv;
  const runs = mode === 'tsx' ? Math.min(RUNS, 3) : RUNS;
  const dir = mkdtempSync(path.join(tmpdir(), `toktra-bench-startup-${mode}-`));
  const dataDir = path.join(dir, 'data');
  const r = {};
  // Warm the build (compiled) and the disk cache; not measured.
  await timeExit(process.execPath, [TOKTRA, '--version'], env);
  r.version = await repeat(runs, () => timeExit(process.execPath, [TOKTRA, '--version'], env));
  const demo = await startServer(['--demo', '--data-dir', dataDir], env);
  r.firstDemo = demo.ms;
  await demo.stop();
  r.orgListEmbedded = await repeat(runs, () =>
    timeExit(process.execPath, [TOKTRA, 'admin', 'org', 'list', '--data-dir', dataDir], env),
  );
  if (DATABASE_URL)
    r.orgListPostgres = await repeat(runs, () =>
      timeExit(process.execPath, [TOKTRA, 'admin', 'org', 'list', '--database-url', DATABASE_URL], env),
    );
  const readies = [];
  for (let i = 0; i < Math.min(runs, 3); i++) {
    const server = await startServer(['--data-dir', dataDir], env);
    readies.push(server.ms);
    if (i === 0)
      r.orgListThroughServer = await repeat(runs, () =>
        timeExit(process.execPath, [TOKTRA, 'admin', 'org', 'list', '--data-dir', dataDir], env),
      );
    await server.stop();
  }
  r.serverReady = median(readies);
  rmSync(dir, { recursive: true, force: true });
  return r;
}

const load = loadavg()[0].toFixed(1);
const ref = {
  nodeStart: await repeat(RUNS, () => timeExit(process.execPath, ['-e', '0'])),
  bareHttpReady: await repeat(RUNS, () => timeExit(process.execPath, ['-e', bareHttp])),
};
const compiled = await measure('compiled');
console.error(`compiled: ${JSON.stringify(compiled)}`); // early, in case the slow tsx pass is cut short
const tsx = args.includes('--no-tsx') ? undefined : await measure('tsx');

const s = (ms) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(2)} s`);
const x = (ms, base) => (ms === undefined ? '-' : `${(ms / base).toFixed(1)}×`);
const rows = [
  ['`toktra --version`', 'version', ref.nodeStart, 'node -e 0'],
  ['`admin org list`, no server, PGlite', 'orgListEmbedded', ref.nodeStart, 'node -e 0'],
  ['`admin org list`, no server, PostgreSQL', 'orgListPostgres', ref.nodeStart, 'node -e 0'],
  ['`admin org list` through the running server', 'orgListThroughServer', ref.nodeStart, 'node -e 0'],
  ['server ready, existing data dir (PGlite)', 'serverReady', ref.bareHttpReady, 'bare HTTP ready'],
  ['server ready, first `--demo` start', 'firstDemo', ref.bareHttpReady, 'bare HTTP ready'],
];
console.log(
  `node ${process.version}, load average ${load} at start, ${loadavg()[0].toFixed(1)} at end; median of ${RUNS} (tsx: ≤ 3)`,
);
console.log(`reference: node -e 0 ${s(ref.nodeStart)}, bare HTTP server ready ${s(ref.bareHttpReady)}\n`);
console.log('| measure | compiled | × reference | tsx (before) | reference |');
console.log('|---|---|---|---|---|');
for (const [label, key, base, refName] of rows) {
  if (compiled[key] === undefined) continue;
  console.log(
    `| ${label} | ${s(compiled[key])} | ${x(compiled[key], base)} | ${s(tsx?.[key])} | ${refName} |`,
  );
}
