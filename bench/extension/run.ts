/**
 * Extension preflight benchmark: `GET /v1/extension/preflight` through the real server (browser
 * token auth with its 30 s cache, the in-memory budget decision, the user's model tier) beside a
 * bare Fastify GET endpoint answering the same JSON shape — same machine, same load generator
 * (bench/preflight/load.ts), same run.
 *
 * Run: node --import tsx bench/extension/run.ts [--quick] [--concurrency 64] [--seconds 10]
 */
import { execFile } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase } from '@toktra/db/testing';
import Fastify from 'fastify';
import { createBudget } from '../../apps/server/src/budgets/service.js';
import { resolveConfig } from '../../apps/server/src/config.js';
import { createContext } from '../../apps/server/src/context.js';
import { enrollBrowser } from '../../apps/server/src/extension/browsers.js';
import { buildHttpApp } from '../../apps/server/src/http/app.js';
import { createOrg } from '../../apps/server/src/orgs/service.js';

const run = promisify(execFile);
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const flag = (name: string, fallback: number) => {
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] ? Number(args[at + 1]) : fallback;
};
const CONCURRENCY = flag('--concurrency', 64);
const SECONDS = flag('--seconds', quick ? 3 : 10);
const CLI = { type: 'cli', id: null } as const;

interface LoadResult {
  requests: number;
  errors: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
}

async function load(url: string, headers: Record<string, string>): Promise<LoadResult> {
  const config = {
    url,
    method: 'GET',
    headers,
    bodies: [''],
    concurrency: CONCURRENCY,
    warmupMs: quick ? 1000 : 3000,
    durationMs: SECONDS * 1000,
  };
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, '../preflight/load.ts'), JSON.stringify(config)],
    { maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout.trim()) as LoadResult;
}

function serverTimer(server: import('node:http').Server): { reset(): void; take(): number[] } {
  let samples: number[] = [];
  server.on('request', (_req, res) => {
    const t0 = process.hrtime.bigint();
    res.on('finish', () => samples.push(Number(process.hrtime.bigint() - t0) / 1e6));
  });
  return { reset: () => (samples = []), take: () => samples.sort((a, b) => a - b) };
}

const pct = (sorted: number[], q: number) =>
  (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN).toFixed(3);

export async function main(): Promise<void> {
  const handle = await createTestDatabase();
  const ctx = createContext(resolveConfig({ logLevel: 'silent' }, {}), handle.db);
  const app = await buildHttpApp(ctx);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const sample = {
    allow: true,
    code: 'ok',
    reason: 'within budget',
    remaining_tokens: 1000,
    budget_id: null,
    period: '2026-11',
    tier: 'advanced',
    model_rules: [{ pattern: 'mini', allowed: true }],
    ttl_seconds: 10,
    exemption_url: 'http://127.0.0.1/portal',
  };
  const bare = Fastify({ logger: false });
  bare.get('/bare', async () => sample);
  await bare.listen({ host: '127.0.0.1', port: 0 });
  const bareAddress = bare.server.address();
  const bareUrl = `http://127.0.0.1:${typeof bareAddress === 'object' && bareAddress ? bareAddress.port : 0}/bare`;
  const bareTimer = serverTimer(bare.server);
  const appTimer = serverTimer(app.server);
  try {
    const { orgId, adminUserId } = await createOrg(ctx.db, { name: 'bench', adminEmail: 'admin@bench.test' });
    await createBudget(ctx, orgId, CLI, { limit_tokens: 1e12, cap: 'hard', thresholds: [80] });
    const { token } = await enrollBrowser(ctx.db, orgId, adminUserId, { via: 'sign_in', name: 'bench' });
    const auth = { authorization: `Bearer ${token}` };
    const first = await fetch(`${url}/v1/extension/preflight`, { headers: auth });
    console.log('sample answer:', (await first.text()).slice(0, 200), '…');
    bareTimer.reset();
    const bareResult = await load(bareUrl, {});
    const bareServer = bareTimer.take();
    appTimer.reset();
    const appResult = await load(`${url}/v1/extension/preflight`, auth);
    const appServer = appTimer.take();
    console.log(
      `\n${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}, ${CONCURRENCY} concurrent keep-alive clients, ${SECONDS}s measured\n`,
    );
    console.log(
      '| endpoint | requests/s | client p50 ms | client p99 ms | server p50 ms | server p99 ms | errors |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    for (const [name, r, srv] of [
      ['bare Fastify GET (same JSON out)', bareResult, bareServer],
      ['GET /v1/extension/preflight (token + decision + tier)', appResult, appServer],
    ] as const) {
      console.log(
        `| ${name} | ${r.rps} | ${r.p50_ms} | ${r.p99_ms} | ${pct(srv, 0.5)} | ${pct(srv, 0.99)} | ${r.errors} |`,
      );
    }
  } finally {
    await bare.close();
    await app.close();
    await ctx.preflight.idle();
    await handle.drop();
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\/bench\//, '/bench/')))
  void main();
