import type { RunningServer } from '../../apps/server/src/server.js';
import { type AgentConn, makeEvents, post } from './agents.js';

export interface LatencyResult {
  targetRate: number;
  achievedRate: number;
  batches: number;
  p50: number;
  p99: number;
  max: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/**
 * Sends batches at a fixed rate (spread over the agents) while an SSE client listens on
 * /v1/usage/stream; each batch's first event carries a marker in its bytes_up, so the `usage`
 * event's total identifies the batch. Latency = batch sent → its SSE event parsed.
 */
export async function measureSseLatency(
  server: RunningServer,
  conns: AgentConn[],
  apiKey: string,
  opts: { eventsPerSecond: number; batch: number; seconds: number },
): Promise<LatencyResult> {
  const total = Math.round((opts.eventsPerSecond / opts.batch) * opts.seconds);
  const base = makeEvents(opts.batch, 0).reduce((s, e) => s + (e.bytes_up as number), 0);
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  const controller = new AbortController();
  const response = await fetch(`${server.url}/v1/usage/stream`, {
    headers: { authorization: `Bearer ${apiKey}` },
    signal: controller.signal,
  });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  let done!: () => void;
  const allSeen = new Promise<void>((resolve) => {
    done = resolve;
  });
  const reading = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const chunk = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (chunk.done) return;
      buffer += decoder.decode(chunk.value, { stream: true });
      let cut = buffer.indexOf('\n\n');
      while (cut >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        cut = buffer.indexOf('\n\n');
        if (!block.startsWith('event: usage')) continue;
        const data = JSON.parse(block.slice(block.indexOf('data: ') + 6)) as { totals: { bytes_up: number } };
        const marker = data.totals.bytes_up - base;
        const t0 = sentAt.get(marker);
        if (t0 !== undefined) latencies.push(performance.now() - t0);
        if (latencies.length === total) done();
      }
    }
  })();
  const interval = 1000 / (opts.eventsPerSecond / opts.batch);
  const prepared = Array.from({ length: total }, (_, k) => makeEvents(opts.batch, k + 1));
  const started = performance.now();
  const sends: Promise<unknown>[] = [];
  for (let k = 0; k < total; k++) {
    const due = started + k * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    sentAt.set(k + 1, performance.now());
    const conn = conns[k % conns.length] as AgentConn;
    sends.push(post(server.ingestUrl, conn, prepared[k] ?? []));
  }
  await Promise.all(sends);
  await Promise.race([allSeen, new Promise((r) => setTimeout(r, 30_000))]);
  const elapsed = (performance.now() - started) / 1000;
  controller.abort();
  await reading;
  const sorted = [...latencies].sort((a, b) => a - b);
  if (sorted.length < total) console.error(`only ${sorted.length}/${total} batches seen on SSE`);
  return {
    targetRate: opts.eventsPerSecond,
    achievedRate: (sorted.length * opts.batch) / elapsed,
    batches: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}
