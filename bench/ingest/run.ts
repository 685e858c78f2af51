/**
 * Ingest benchmark: events/s through the real mTLS endpoint (enrolled agents, keep-alive HTTPS,
 * JSON batches) into PGlite and into Postgres, beside the raw multi-row INSERT rate of the same
 * rows into the same database in the same run; plus p99 ingest → SSE latency at a target rate.
 *
 * Run: node --import tsx bench/ingest/run.ts [--engines pglite,postgres] [--quick]
 * Postgres: BENCH_DATABASE_URL (default postgres://root@127.0.0.1:5432/test) names a server on
 * which a scratch database is created and dropped.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:https';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createApiKey } from '../../apps/server/src/api-keys/service.js';
import { createEnrollToken } from '../../apps/server/src/enrollment/tokens.js';
import { createOrg } from '../../apps/server/src/orgs/service.js';
import { type RunningServer, startServer } from '../../apps/server/src/server.js';
import { makeAgentKeys } from '../../apps/server/test/mtls-helpers.js';
import { type AgentConn, makeEvents, post } from './agents.js';
import { rawInsertRate } from './raw-insert.js';
import { measureSseLatency } from './sse-latency.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const engines = (
  args[args.indexOf('--engines') + 1] && args.includes('--engines')
    ? (args[args.indexOf('--engines') + 1] as string)
    : 'pglite,postgres'
).split(',');
const AGENTS = 4;
const PLANS = quick
  ? [
      { batch: 50, batches: 80 },
      { batch: 1000, batches: 8 },
    ]
  : [
      { batch: 50, batches: 400 },
      { batch: 1000, batches: 60 },
    ];

async function enrollAgents(server: RunningServer, orgId: string, ownerId: string): Promise<AgentConn[]> {
  const cli = { type: 'cli', id: null } as const;
  const rootPem = (await server.ctx.pki.root)?.pem ?? '';
  const { token } = await createEnrollToken(server.ctx.db, orgId, cli, {
    maxUses: AGENTS,
    ttlMs: 600_000,
    ownerUserId: ownerId,
  });
  const conns: AgentConn[] = [];
  for (let i = 0; i < AGENTS; i++) {
    const keys = await makeAgentKeys(`bench-${i}`);
    const res = await fetch(`${server.url}/v1/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        token,
        csr: keys.csrPem,
        hostname: `bench-${i}`,
        os: 'linux',
        agent_version: 'bench',
      }),
    });
    if (res.status !== 200) throw new Error(`enroll failed: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { device_id: string; certificate: string; ca_chain: string };
    const orgCa = body.ca_chain.split(/(?<=-----END CERTIFICATE-----)/)[0]?.trim() ?? '';
    const agent = new Agent({
      keepAlive: true,
      maxSockets: 1,
      ca: rootPem,
      key: keys.keyPem,
      cert: `${body.certificate.trim()}\n${orgCa}\n`,
    });
    conns.push({ deviceId: body.device_id, agent });
  }
  return conns;
}

/** Sends `batches` batches of `size` events from every agent at once; returns events/s. */
async function throughput(server: RunningServer, conns: AgentConn[], size: number, batches: number) {
  const perAgent = Math.ceil(batches / conns.length);
  const prepared = conns.map(() => Array.from({ length: perAgent }, () => makeEvents(size)));
  const started = performance.now();
  let accepted = 0;
  await Promise.all(
    conns.map(async (conn, a) => {
      for (const events of prepared[a] ?? []) {
        const res = await post(server.ingestUrl, conn, events);
        if (res.status !== 200) throw new Error(`batch refused: ${res.status} ${res.body}`);
        accepted += (JSON.parse(res.body) as { accepted: number }).accepted;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  if (accepted !== perAgent * conns.length * size)
    throw new Error(`accepted ${accepted}, expected ${perAgent * conns.length * size}`);
  return { events: accepted, seconds, rate: accepted / seconds, sample: prepared[0]?.[0] ?? [] };
}

async function withDatabase<T>(
  engine: string,
  fn: (databaseUrl: string | undefined, dataDir: string) => Promise<T>,
) {
  const dataDir = mkdtempSync(join(tmpdir(), 'toktra-bench-'));
  let dropUrl: string | undefined;
  let url: string | undefined;
  const admin = process.env.BENCH_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';
  const name = `toktra_bench_${process.pid}`;
  if (engine === 'postgres') {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${name}`);
    await client.query(`CREATE DATABASE ${name}`);
    await client.end();
    const u = new URL(admin);
    u.pathname = `/${name}`;
    url = u.toString();
    dropUrl = admin;
  }
  try {
    return await fn(url, dataDir);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    if (dropUrl) {
      const client = new pg.Client({ connectionString: dropUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    }
  }
}

interface Row {
  engine: string;
  batch: number;
  events: number;
  e2e: number;
  raw: number;
}

async function runEngine(
  engine: string,
): Promise<{ rows: Row[]; latency: Array<Awaited<ReturnType<typeof measureSseLatency>>> }> {
  return withDatabase(engine, async (databaseUrl, dataDir) => {
    const server = await startServer({
      host: '127.0.0.1',
      port: 0,
      dataDir,
      databaseUrl,
      logLevel: 'silent',
      worker: false,
    });
    try {
      const org = await createOrg(server.ctx.db, { name: `bench-${engine}`, adminEmail: 'owner@bench.test' });
      const conns = await enrollAgents(server, org.orgId, org.adminUserId);
      const rows: Row[] = [];
      await throughput(server, conns, 50, AGENTS * 2); // warm-up: JIT, connections, caches
      for (const plan of PLANS) {
        const e2e = await throughput(server, conns, plan.batch, plan.batches);
        const raw = await rawInsertRate(server.ctx, org.orgId, conns, e2e.events, plan.batch);
        rows.push({ engine, batch: plan.batch, events: e2e.events, e2e: e2e.rate, raw });
        console.error(
          `${engine} batch=${plan.batch}: ${Math.round(e2e.rate)} ev/s end-to-end, ${Math.round(raw)} ev/s raw INSERT`,
        );
      }
      const { apiKey } = await createApiKey(
        server.ctx.db,
        org.orgId,
        { type: 'cli', id: null },
        { name: 'bench', scopes: ['read'] },
      );
      // At the target rate, and at half of what this engine sustained with batches of 50
      // (above capacity the latency measures the backlog, not the pipeline).
      const seconds = quick ? 3 : 10;
      const sustainable = Math.max(100, Math.floor((rows[0]?.e2e ?? 200) / 200) * 100);
      const latency = [];
      for (const eventsPerSecond of [5000, sustainable]) {
        latency.push(await measureSseLatency(server, conns, apiKey, { eventsPerSecond, batch: 50, seconds }));
      }
      for (const c of conns) c.agent.destroy();
      return { rows, latency };
    } finally {
      await server.close();
    }
  });
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const out: string[] = [];
out.push(
  `Machine: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores, Node ${process.version}; server and load generator in one process.`,
);
out.push(
  `${AGENTS} concurrent enrolled agents, keep-alive mTLS connections, JSON batches to /ingest/v1/batches.`,
);
out.push('');
out.push(
  '| engine | batch | events | end-to-end ev/s (mTLS → validate → enrich → classify → estimate → events + rollups) | raw INSERT ev/s (same rows, same DB, same concurrency) | e2e / raw |',
);
out.push('|---|---:|---:|---:|---:|---:|');
const latencies: string[] = [];
for (const engine of engines) {
  const { rows, latency } = await runEngine(engine);
  for (const r of rows) {
    out.push(
      `| ${r.engine} | ${r.batch} | ${fmt(r.events)} | ${fmt(r.e2e)} | ${fmt(r.raw)} | ${Math.round((r.e2e / r.raw) * 100)}% |`,
    );
  }
  for (const l of latency) {
    latencies.push(
      `| ${engine} | ${fmt(l.targetRate)} | ${fmt(l.achievedRate)} | ${l.batches} | ${l.p50.toFixed(0)} | ${l.p99.toFixed(0)} | ${l.max.toFixed(0)} |`,
    );
  }
}
out.push('');
out.push(
  'Ingest → SSE latency (batch of 50 sent → its `usage` event read by an SSE client on /v1/usage/stream):',
);
out.push('');
out.push('| engine | target ev/s | achieved ev/s | batches | p50 ms | p99 ms | max ms |');
out.push('|---|---:|---:|---:|---:|---:|---:|');
out.push(...latencies);
console.log(out.join('\n'));
