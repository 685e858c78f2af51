/**
 * Dashboard API latency at `SCALE` × the demo org (default 10: ≈2,000 people), cold and warm, in
 * one run: generates the benchmark org (bench/dashboard/generate.ts), then
 * - cold: `COLD_ROUNDS` times, reopens the database (PGlite re-reads its data dir; PostgreSQL gets
 *   a new pool), builds a new context and HTTP app, signs in and requests every call once;
 * - warm: on one started app, every call `ROUNDS` times after one unmeasured round.
 * Each call goes through the real Fastify stack (session cookie, RLS transaction, JSON).
 * Prints p50/p95/p99 per call and whether it meets the target (p95 < 100 ms warm, < 300 ms cold).
 *
 *   npx tsx bench/dashboard/run.ts                                  # PGlite in a temp data dir
 *   TEST_DATABASE_URL=postgres://root@127.0.0.1:5432/test npx tsx bench/dashboard/run.ts
 *   SCALE=1 ROUNDS=20 COLD_ROUNDS=3 RAW_DAYS=7 …                     # smaller
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type DatabaseTarget, migrateToLatest, openDatabase, type RegionStore } from '@toktra/db';
import { createEmptyPostgresDatabase } from '@toktra/db/testing';
import { resolveConfig } from '../../apps/server/src/config.js';
import { createContext } from '../../apps/server/src/context.js';
import {
  DEMO_ADMIN_EMAIL,
  DEMO_ADMIN_PASSWORD,
  DEMO_EMPLOYEE_EMAIL,
} from '../../apps/server/src/demo/seed.js';
import { buildHttpApp } from '../../apps/server/src/http/app.js';
import { dashboardCalls } from './calls.js';
import { generateBenchOrg } from './generate.js';

const SCALE = Number(process.env.SCALE ?? 12);
const ROUNDS = Number(process.env.ROUNDS ?? 30);
const COLD_ROUNDS = Number(process.env.COLD_ROUNDS ?? 5);
const RAW_DAYS = Number(process.env.RAW_DAYS ?? 7);

async function started(target: DatabaseTarget, dataDir: string) {
  const db: RegionStore = await openDatabase(target);
  const ctx = createContext(resolveConfig({ dataDir, logLevel: 'silent' }), db);
  const app = await buildHttpApp(ctx);
  const signIn = await app.inject({
    method: 'POST',
    url: '/auth/sign-in',
    payload: { email: DEMO_ADMIN_EMAIL, password: DEMO_ADMIN_PASSWORD },
  });
  if (signIn.statusCode !== 200) throw new Error(`sign-in failed: ${signIn.statusCode} ${signIn.body}`);
  const cookie = String(signIn.headers['set-cookie']).split(';')[0] ?? '';
  const call = async (url: string): Promise<number> => {
    const t = performance.now();
    const res = await app.inject({ url, headers: { cookie } });
    const ms = performance.now() - t;
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
    return ms;
  };
  return {
    db,
    ctx,
    call,
    close: async () => {
      await app.close();
      await db.close();
    },
  };
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'toktra-bench-'));
  const adminUrl = process.env.TEST_DATABASE_URL;
  const pg = adminUrl ? await createEmptyPostgresDatabase(adminUrl) : undefined;
  const target: DatabaseTarget = pg ? { url: pg.url } : { dataDir: path.join(dataDir, 'pgdata') };
  try {
    const setup = await openDatabase(target);
    await migrateToLatest(setup.kysely);
    const setupCtx = createContext(resolveConfig({ dataDir, logLevel: 'silent' }), setup);
    const t = performance.now();
    const org = await generateBenchOrg(setupCtx, { scale: SCALE, rawDays: RAW_DAYS });
    const genMs = performance.now() - t;
    const ids = await setup.withTenant(org.orgId, async (tx) => ({
      department: (
        await tx.db
          .selectFrom('departments')
          .select('id')
          .where('org_id', '=', org.orgId)
          .where('name', '=', 'Engineering')
          .executeTakeFirstOrThrow()
      ).id,
      user: (
        await tx.db
          .selectFrom('users')
          .select('id')
          .where('org_id', '=', org.orgId)
          .where('email', '=', DEMO_EMPLOYEE_EMAIL)
          .executeTakeFirstOrThrow()
      ).id,
    }));
    await setup.close();
    console.log(
      `engine ${pg ? 'postgres' : 'pglite'} · scale ${SCALE} · generated in ${(genMs / 1000).toFixed(1)} s`,
      org.ms,
      org.counts,
    );
    const calls = dashboardCalls(ids);
    const cold = new Map<string, number[]>(calls.map((c) => [c.label, []]));
    const startMs: number[] = [];
    for (let r = 0; r < COLD_ROUNDS; r++) {
      const t0 = performance.now();
      const server = await started(target, dataDir);
      startMs.push(performance.now() - t0);
      for (const c of calls) cold.get(c.label)?.push(await server.call(c.url));
      await server.close();
    }
    const warm = new Map<string, number[]>(calls.map((c) => [c.label, []]));
    const server = await started(target, dataDir);
    for (const c of calls) await server.call(c.url);
    // Interleaved rounds: a slow moment of the machine hits every call alike.
    for (let r = 0; r < ROUNDS; r++) {
      for (const c of calls) warm.get(c.label)?.push(await server.call(c.url));
    }
    await server.close();
    console.log(
      `start (open + migrate check + sign-in) p50 ${quantile(
        startMs.sort((a, b) => a - b),
        0.5,
      ).toFixed(0)} ms`,
    );
    console.log(
      '\n| page | call | cold p50 | cold p95 | cold p99 | warm p50 | warm p95 | warm p99 | target |\n|---|---|---:|---:|---:|---:|---:|---:|---|',
    );
    let failures = 0;
    for (const c of calls) {
      const cs = (cold.get(c.label) ?? []).sort((a, b) => a - b);
      const ws = (warm.get(c.label) ?? []).sort((a, b) => a - b);
      const ok = quantile(cs, 0.95) < 300 && quantile(ws, 0.95) < 100;
      if (!ok) failures++;
      const f = (v: number) => v.toFixed(1);
      console.log(
        `| ${c.page} | ${c.label} | ${f(quantile(cs, 0.5))} | ${f(quantile(cs, 0.95))} | ${f(quantile(cs, 0.99))} | ${f(quantile(ws, 0.5))} | ${f(quantile(ws, 0.95))} | ${f(quantile(ws, 0.99))} | ${ok ? 'ok' : 'MISS'} |`,
      );
    }
    console.log(`\n${calls.length - failures} of ${calls.length} calls within target`);
  } finally {
    if (pg) await pg.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
