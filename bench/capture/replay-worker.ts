/**
 * Runs `toktra agent replay --all` (the real command function) on one file in this process and prints
 * {seconds, maxRssMiB, rows, snis} as JSON, so the parent measures time and peak memory per run.
 */
import { runReplay } from '@toktra/agent';

const file = process.argv[2]!;
const chunks: string[] = [];
const started = process.hrtime.bigint();
const code = await runReplay(
  { files: [file], all: true, format: 'jsonl' },
  { stdout: { write: (s: string) => chunks.push(s) }, stderr: process.stderr },
);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const rows = chunks
  .join('')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as { sni: string | null });
const snis = [...new Set(rows.map((r) => r.sni).filter((s): s is string => s !== null))].sort();
const maxRssMiB = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify({ code, seconds, maxRssMiB, rows: rows.length, snis }));
