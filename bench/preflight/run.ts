/**
 * Preflight benchmark: p50/p99 latency and throughput of `POST /v1/preflight` through the real
 * server (API-key auth, Zod validation, in-memory budget state of an org with a 3-level
 * department tree, hard caps at two levels, 60 users), beside a bare Fastify endpoint that parses
 * the same JSON body and answers the same shape — same machine, same load generator, same run.
 *
 * Run: node --import tsx bench/preflight/run.ts [--quick] [--concurrency 64] [--seconds 10]
 */
import { execFile } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase } from '@toktra/db/testing';
import Fastify from 'fastify';
import { createApiKey } from '../../apps/server/src/api-keys/service.js';
import { createBudget } from '../../apps/server/src/budgets/service.js';
import { ingestTokens } from '../../apps/server/src/budgets/testing.js';
import { resolveConfig } from '../../apps/server/src/config.js';
import { type AppContext, createContext } from '../../apps/server/src/context.js';
import { buildHttpApp } from '../../apps/server/src/http/app.js';
import { createOrg } from '../../apps/server/src/orgs/service.js';
import { preflight } from '../../apps/server/src/preflight/service.js';

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
  max_ms: number;
}

async function load(url: string, headers: Record<string, string>, bodies: string[]): Promise<LoadResult> {
  const config = {
    url,
    headers,
    bodies,
    concurrency: CONCURRENCY,
    warmupMs: quick ? 1000 : 3000,
    durationMs: SECONDS * 1000,
  };
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'load.ts'), JSON.stringify(config)],
    {
      maxBuffer: 1 << 20,
    },
  );
  return JSON.parse(stdout.trim()) as LoadResult;
}

async function seed(ctx: AppContext) {
  const { orgId } = await createOrg(ctx.db, {
    name: 'bench',
    adminEmail: 'admin@bench.test',
    timeZone: 'America/New_York',
  });
  const users = await ctx.db.withTenant(orgId, async ({ db }) => {
    const dept = async (name: string, parent: string | null) =>
      (
        await db
          .insertInto('departments')
          .values({ org_id: orgId, name, parent_id: parent })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const eng = await dept('Engineering', null);
    const leaves: string[] = [];
    for (const team of ['Backend', 'Frontend', 'Data']) {
      const t = await dept(team, eng);
      for (const squad of ['A', 'B']) leaves.push(await dept(`${team} ${squad}`, t));
    }
    const ids: Array<{ id: string; email: string }> = [];
    for (let i = 0; i < 60; i++) {
      const email = `user${i}@bench.test`;
      const row = await db
        .insertInto('users')
        .values({
          org_id: orgId,
          email,
          name: `User ${i}`,
          department_id: leaves[i % leaves.length] as string,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      ids.push({ id: row.id, email });
    }
    return { ids, eng };
  });
  await createBudget(ctx, orgId, CLI, { limit_tokens: 1e12, cap: 'hard', thresholds: [80, 95] });
  await createBudget(ctx, orgId, CLI, {
    department_id: users.eng,
    limit_tokens: 1e11,
    cap: 'hard',
    thresholds: [80],
  });
  await ingestTokens(
    ctx,
    orgId,
    users.ids.slice(0, 30).map((u) => ({ userId: u.id, tokens: 1_000 })),
  );
  const { apiKey } = await createApiKey(ctx.db, orgId, CLI, { name: 'bench', scopes: ['ingest'] });
  return { apiKey, users: users.ids, orgId };
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** Times every request inside the server, from the first byte parsed to the last byte written. */
function serverTimer(server: import('node:http').Server): { reset(): void; take(): number[] } {
  let samples: number[] = [];
  server.on('request', (_req, res) => {
    const t0 = process.hrtime.bigint();
    res.on('finish', () => samples.push(Number(process.hrtime.bigint() - t0) / 1e6));
  });
  return { reset: () => (samples = []), take: () => samples.sort((a, b) => a - b) };
}

async function main(): Promise<void> {
  const handle = await createTestDatabase();
  const ctx = createContext(resolveConfig({ logLevel: 'silent' }, {}), handle.db);
  const app = await buildHttpApp(ctx);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const appAddress = app.server.address();
  const url = `http://127.0.0.1:${typeof appAddress === 'object' && appAddress ? appAddress.port : 0}`;
  const bare = Fastify({ logger: false });
  bare.post('/bare', async (request) => {
    const body = request.body as { user_id?: string };
    return { allow: true, reason: 'within budget', remaining_tokens: 1000, user_id: body.user_id ?? null };
  });
  await bare.listen({ host: '127.0.0.1', port: 0 });
  const bareAddress = bare.server.address();
  const barePort = typeof bareAddress === 'object' && bareAddress ? bareAddress.port : 0;
  const bareTimer = serverTimer(bare.server);
  const appTimer = serverTimer(app.server);
  try {
    const { apiKey, users, orgId } = await seed(ctx);
    // Half by id, half by email; estimated_tokens 0 keeps the (huge) budget from being reserved away.
    const bodies = users.map((u, i) =>
      JSON.stringify(
        i % 2 === 0
          ? { user_id: u.id, estimated_tokens: 0 }
          : { user_email: u.email, provider: 'openai', estimated_tokens: 0 },
      ),
    );
    const auth = { authorization: `Bearer ${apiKey}` };
    const first = await fetch(`${url}/v1/preflight`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: bodies[0],
    });
    console.log('sample answer:', await first.text());
    // The decision alone, in process: what the in-memory state costs per call.
    const decisions: number[] = [];
    for (let i = 0; i < 200_000; i++) {
      const u = users[i % users.length] as { id: string };
      const t0 = process.hrtime.bigint();
      await preflight(ctx, orgId, { user_id: u.id, estimated_tokens: 0 });
      decisions.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    decisions.sort((a, b) => a - b);
    bareTimer.reset();
    const bareResult = await load(`http://127.0.0.1:${barePort}/bare`, {}, bodies);
    const bareServer = bareTimer.take();
    appTimer.reset();
    const preflightResult = await load(`${url}/v1/preflight`, auth, bodies);
    const appServer = appTimer.take();
    const rows = [
      ['bare Fastify endpoint (same JSON in/out)', bareResult, bareServer],
      ['POST /v1/preflight (API key + Zod + decision)', preflightResult, appServer],
    ] as const;
    console.log(
      `\n${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}, ${CONCURRENCY} concurrent keep-alive clients (closed loop, separate process), ${SECONDS}s measured\n`,
    );
    console.log(
      '| endpoint | requests/s | client p50 ms | client p99 ms | server p50 ms | server p99 ms | errors |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    for (const [name, r, srv] of rows) {
      console.log(
        `| ${name} | ${r.rps} | ${r.p50_ms} | ${r.p99_ms} | ${percentile(srv, 0.5).toFixed(3)} | ${percentile(srv, 0.99).toFixed(3)} | ${r.errors} |`,
      );
    }
    console.log(
      `\ndecision in process (preflight service, 200k calls): p50 ${(percentile(decisions, 0.5) * 1000).toFixed(1)} µs, p99 ${(percentile(decisions, 0.99) * 1000).toFixed(1)} µs`,
    );
    console.log(
      `client-side latency at ${CONCURRENCY} closed-loop clients is queueing: ≈ ${CONCURRENCY} / throughput.`,
    );
  } finally {
    await bare.close();
    await app.close();
    await ctx.preflight.idle();
    await handle.drop();
  }
}

void main();
