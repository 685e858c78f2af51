import type { AppContext } from '../context.js';
import { counter, histogram } from '../metrics.js';

/** Ingest outcomes for /metrics: events by outcome (and rejection code), batch latency by origin. */
export function recordIngest(
  ctx: AppContext,
  origin: 'device' | 'api',
  result: { accepted: number; duplicates: number; rejected: Array<{ code: string }> },
  seconds: number,
): void {
  const events = counter(ctx.metrics, {
    name: 'toktra_ingest_events_total',
    help: 'Ingested events by outcome (accepted, duplicate, rejected) and rejection code',
    labelNames: ['origin', 'outcome', 'code'],
  });
  if (result.accepted) events.inc({ origin, outcome: 'accepted', code: '' }, result.accepted);
  if (result.duplicates) events.inc({ origin, outcome: 'duplicate', code: '' }, result.duplicates);
  const byCode = new Map<string, number>();
  for (const r of result.rejected) byCode.set(r.code, (byCode.get(r.code) ?? 0) + 1);
  for (const [code, n] of byCode) events.inc({ origin, outcome: 'rejected', code }, n);
  histogram(ctx.metrics, {
    name: 'toktra_ingest_batch_seconds',
    help: 'Time to validate, enrich, store and commit one batch',
    labelNames: ['origin'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  }).observe({ origin }, seconds);
}
