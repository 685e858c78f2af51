import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A recorded request: what a test asserts on (paging params, group_by form, auth headers). */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface FakeReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface FakeServer {
  url: string;
  requests: RecordedRequest[];
  /** The next `count` requests answer 429 with `Retry-After: retryAfter`. */
  throttle(count: number, retryAfter?: string): void;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 (random port) that answers with `handle`. */
export async function startFakeServer(
  handle: (req: RecordedRequest, base: string) => FakeReply,
): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  let throttled = 0;
  let retryAfter = '0';
  let base = '';
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', base);
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      let reply: FakeReply;
      if (throttled > 0) {
        throttled--;
        reply = {
          status: 429,
          body: {
            error: { message: 'Rate limit reached', type: 'rate_limit_error', code: 'rate_limit_exceeded' },
          },
          headers: { 'retry-after': retryAfter },
        };
      } else {
        try {
          reply = handle(recorded, base);
        } catch (error) {
          reply = { status: 500, body: { error: { message: String(error) } } };
        }
      }
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    throttle(count, after = '0') {
      throttled = count;
      retryAfter = after;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** One hour of provider-side usage: the ground truth a fake renders in its own wire format. */
export interface FakeUsage {
  hour: Date;
  model: string;
  project?: string | null;
  workspace?: string | null;
  apiKey?: string | null;
  /** Uncached input. */
  input: number;
  cachedInput?: number;
  cacheWrite5m?: number;
  cacheWrite1h?: number;
  output: number;
  requests?: number;
}

export const HOUR = 3_600_000;
export const hourOf = (ms: number) => Math.floor(ms / HOUR) * HOUR;

/** Total input as every provider but Anthropic reports it: uncached + cached + cache writes. */
export const totalInput = (u: FakeUsage) =>
  u.input + (u.cachedInput ?? 0) + (u.cacheWrite5m ?? 0) + (u.cacheWrite1h ?? 0);

export function unauthorized(body: unknown): FakeReply {
  return { status: 401, body };
}
