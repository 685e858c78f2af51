/**
 * A closed-loop HTTP load generator: `concurrency` workers on keep-alive sockets each send a POST,
 * wait for the answer, and send the next. Runs in its own process so it does not share the
 * server's event loop. Prints one JSON line: {requests, errors, seconds, rps, p50_ms, p99_ms, max_ms}.
 *
 * Usage (from run.ts): node --import tsx bench/preflight/load.ts '<json config>'
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

interface LoadConfig {
  url: string;
  /** POST (default) sends `bodies` in turn; GET sends none. */
  method?: 'GET' | 'POST';
  headers: Record<string, string>;
  bodies: string[];
  concurrency: number;
  warmupMs: number;
  durationMs: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as LoadConfig;
const target = new URL(config.url);
const agent = new Agent({ keepAlive: true, maxSockets: config.concurrency });

function send(body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: config.method ?? 'POST',
        headers:
          config.method === 'GET'
            ? config.headers
            : {
                ...config.headers,
                'content-type': 'application/json',
                'content-length': Buffer.byteLength(body),
              },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(config.method === 'GET' ? undefined : body);
  });
}

async function main(): Promise<void> {
  const latencies: number[] = [];
  let errors = 0;
  let counter = 0;
  let measuring = false;
  const start = performance.now();
  const measureFrom = start + config.warmupMs;
  const stopAt = measureFrom + config.durationMs;
  const worker = async () => {
    for (;;) {
      const t0 = performance.now();
      if (t0 >= stopAt) return;
      const body = config.bodies[counter++ % config.bodies.length] as string;
      let status = 0;
      try {
        status = await send(body);
      } catch {
        status = 0;
      }
      const t1 = performance.now();
      if (t0 >= measureFrom) {
        measuring = true;
        if (status !== 200) errors++;
        latencies.push(t1 - t0);
      }
    }
  };
  await Promise.all(Array.from({ length: config.concurrency }, worker));
  latencies.sort((a, b) => a - b);
  const pick = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  const seconds = config.durationMs / 1000;
  process.stdout.write(
    `${JSON.stringify({
      requests: latencies.length,
      errors,
      seconds,
      rps: Math.round(latencies.length / seconds),
      p50_ms: Number(pick(0.5).toFixed(3)),
      p99_ms: Number(pick(0.99).toFixed(3)),
      max_ms: Number((latencies.at(-1) ?? Number.NaN).toFixed(3)),
      measured: measuring,
    })}\n`,
  );
  agent.destroy();
}

void main();
