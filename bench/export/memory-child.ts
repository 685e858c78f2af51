/**
 * Measures one export's memory in its own process: seeds `ROWS` rows straight into the daily
 * rollup (one INSERT … SELECT over generate_series: DAYS days × ROWS/DAYS users, one row per
 * user and day), then runs the real export job (queryUsage per day → ExportWriter → file) while
 * sampling RSS and heap every 20 ms. Prints one JSON line. Used by
 * apps/server/src/exports/export-memory.test.ts; run by hand with
 *   TEST_DATABASE_URL=postgres://root@127.0.0.1:5432/test ROWS=5000000 npx tsx bench/export/memory-child.ts
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { orgScope } from '../../apps/server/src/auth/scope.js';
import { generateExportJob } from '../../apps/server/src/exports/job.js';
import { createExport, getExport } from '../../apps/server/src/exports/service.js';
import { JobRunner } from '../../apps/server/src/jobs/runner.js';
import { createTestContext, seedOrg } from '../../apps/server/src/usage/testing.js';
import { addDays, dayInZone } from '../../apps/server/src/usage/time-zone.js';

const rows = Number(process.env.ROWS ?? 200_000);
const days = Number(process.env.DAYS ?? 400);
const format = (process.env.FORMAT ?? 'csv') as 'csv' | 'json';
const users = Math.ceil(rows / days);

const dataDir = mkdtempSync(path.join(tmpdir(), 'toktra-export-mem-'));
const { ctx, handle } = await createTestContext({ dataDir });
try {
  const org = await seedOrg(ctx, 'export-mem');
  const end = dayInZone(Date.now(), 'UTC');
  const start = addDays(end, -(days - 1));
  const seedStarted = Date.now();
  await ctx.db.system(async ({ db }) => {
    await sql`INSERT INTO users (org_id, email, name, department_id)
      SELECT ${org.orgId}::uuid, 'user' || g || '@mem.test', 'User ' || g, ${org.departments.sales}::uuid
      FROM generate_series(1, ${users}) g`.execute(db);
    await sql`INSERT INTO usage_daily (org_id, bucket, user_id, department_id, provider, model, category, source,
        events, bytes_up, bytes_down, duration_ms, est_input_tokens, est_output_tokens)
      SELECT ${org.orgId}::uuid, ${start}::date + d, u.id, u.department_id, 'openai', NULL, 'general', 'agent',
        1 + (d % 5), 1000 + d, 9000 + d, 0, 300 + (d % 97), 40 + (d % 13)
      FROM generate_series(0, ${days - 1}) d
      CROSS JOIN (SELECT id, department_id FROM users WHERE org_id = ${org.orgId}::uuid AND email LIKE '%@mem.test'
                  ORDER BY email LIMIT ${rows / days}) u
      ORDER BY d, u.id`.execute(db);
    // The per-person read model the users export reads (ingest writes both in one statement).
    await sql`INSERT INTO usage_daily_people (org_id, bucket, user_id, department_id, events, bytes_up,
        bytes_down, duration_ms, est_input_tokens, est_output_tokens, reported_input_tokens, reported_output_tokens)
      SELECT org_id, bucket, user_id, department_id, sum(events), sum(bytes_up), sum(bytes_down),
        sum(duration_ms), sum(est_input_tokens), sum(est_output_tokens), sum(reported_input_tokens),
        sum(reported_output_tokens)
      FROM usage_daily WHERE org_id = ${org.orgId}::uuid GROUP BY org_id, bucket, user_id, department_id`.execute(
      db,
    );
  });
  const seededMs = Date.now() - seedStarted;
  global.gc?.();
  const baseline = process.memoryUsage();
  let peakRss = baseline.rss;
  let peakHeap = baseline.heapUsed;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 20);
  const started = Date.now();
  const { jobId } = await createExport(
    ctx,
    orgScope(org.orgId),
    { type: 'cli', id: null },
    {
      startDate: start,
      endDate: end,
      format,
      scope: 'users',
    },
  );
  await new JobRunner(ctx, [generateExportJob]).runOnce();
  clearInterval(sampler);
  const view = await getExport(ctx, orgScope(org.orgId), jobId);
  const file = path.join(dataDir, 'exports', org.orgId, `${jobId}.${format}`);
  console.log(
    JSON.stringify({
      engine: process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite',
      status: view.status,
      error: view.error,
      rows: view.row_count,
      file_bytes: view.status === 'ready' ? statSync(file).size : 0,
      seed_ms: seededMs,
      export_ms: Date.now() - started,
      baseline_rss: baseline.rss,
      peak_rss: peakRss,
      baseline_heap: baseline.heapUsed,
      peak_heap: peakHeap,
    }),
  );
} finally {
  await handle.drop();
  rmSync(dataDir, { recursive: true, force: true });
}
