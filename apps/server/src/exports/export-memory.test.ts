import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/**
 * The export's memory does not grow with its size. A child process (bench/export/memory-child.ts)
 * seeds the daily rollup with one INSERT … SELECT generate_series (400 days × N/400 users: these
 * are rollup rows, the unit an export reads and writes one line per), then runs the real export
 * job with a 96 MiB V8 heap cap — an export that buffered its rows would die of OOM long before
 * the end — and reports RSS sampled every 20 ms. On Postgres each run is 500 000 rows (held in
 * memory as strings that alone would pass the 96 MiB heap, so a buffering export fails); on PGlite,
 * whose database lives in the test process and would dominate RSS, 200 000. The 5-million-row run
 * is a benchmark (bench/export, BENCHMARKS.md), not part of the suite. EXPORT_MEMORY_ROWS overrides
 * both counts.
 */
const postgres = Boolean(process.env.TEST_DATABASE_URL);
const ROWS = {
  csv: Number(process.env.EXPORT_MEMORY_ROWS ?? (postgres ? 500_000 : 200_000)),
  json: Number(process.env.EXPORT_MEMORY_ROWS ?? (postgres ? 500_000 : 200_000)),
};
const RSS_CEILING = 160 * 1024 * 1024;

describe('export memory', () => {
  for (const format of ['csv', 'json'] as const) {
    const rows = ROWS[format];
    it(
      `exports ${rows.toLocaleString('en')} rows as ${format} in a 96 MiB heap with RSS growth under 160 MiB`,
      async () => {
        const { stdout } = await run(
          process.execPath,
          ['--import', 'tsx', '--expose-gc', '--max-old-space-size=96', 'bench/export/memory-child.ts'],
          {
            cwd: root,
            env: { ...process.env, ROWS: String(rows), DAYS: '400', FORMAT: format },
            maxBuffer: 1024 * 1024,
          },
        );
        const result = JSON.parse(stdout.trim().split('\n').pop() as string);
        console.log(`export memory (${format}):`, result);
        expect(result).toMatchObject({ status: 'ready', error: null, rows });
        expect(result.peak_rss - result.baseline_rss).toBeLessThan(RSS_CEILING);
        expect(result.file_bytes).toBeGreaterThan(rows * 50);
      },
      30 * 60_000,
    );
  }
});
