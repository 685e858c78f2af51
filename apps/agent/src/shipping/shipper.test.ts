import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DurableQueue } from '../queue/durable-queue.js';
import { statePaths } from '../state-dir.js';
import { IngestClient } from './ingest-client.js';
import { backoffDelay, Shipper, type ShipperOptions } from './shipper.js';

type Answer = 'ok' | '503' | 'close' | '401';

/**
 * A loopback ingest fake with real mutual TLS: it requires the client certificate signed by its
 * CA, answers from a script (`answers`, then `fallback`), and records every batch it received.
 */
interface FakeIngest {
  url: string;
  answers: Answer[];
  fallback: Answer;
  /** Every request, with its batch and whether it was acknowledged (200). */
  requests: Array<{ ids: string[]; answer: Answer; at: number }>;
  close(): Promise<void>;
}

const work = mkdtempSync(path.join(tmpdir(), 'toktra-shipper-'));
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: work, stdio: 'pipe' });
let fake: FakeIngest;

function makePki(): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-days', '1', '-subj', '/CN=Fake CA', '-keyout', 'ca.key', '-out', 'ca.crt');
  for (const [name, ext] of [
    ['server', 'subjectAltName=IP:127.0.0.1'],
    ['device', 'extendedKeyUsage=clientAuth'],
  ] as const) {
    openssl('req', ...ec, '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
    writeFileSync(path.join(work, `${name}.ext`), `${ext}\n`);
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.crt`,
    );
  }
}

async function startFakeIngest(): Promise<FakeIngest> {
  const read = (f: string) => readFileSync(path.join(work, f));
  const state = { answers: [] as Answer[], fallback: 'ok' as Answer, requests: [] as FakeIngest['requests'] };
  const server = https.createServer(
    { key: read('server.key'), cert: read('server.crt'), ca: read('ca.crt'), requestCert: true },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(gunzipSync(Buffer.concat(chunks)).toString('utf8')) as {
          events: Array<{ id: string }>;
        };
        const answer = fake.answers.shift() ?? fake.fallback;
        fake.requests.push({ ids: body.events.map((e) => e.id), answer, at: Date.now() });
        if (answer === 'close') return req.socket.destroy();
        const [status, payload] =
          answer === 'ok'
            ? [200, { accepted: body.events.length, duplicates: 0, rejected: [] }]
            : answer === '401'
              ? [401, { error: { code: 'unauthorized', message: 'this device has been revoked' } }]
              : [503, { error: { code: 'unavailable', message: 'database restarting' } }];
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
      });
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return Object.assign(state, {
    url: `https://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  });
}

/** A real queue and a real mTLS client in a fresh state directory. */
function setup(options: ShipperOptions = {}) {
  const dir = mkdtempSync(path.join(work, 'state-'));
  const paths = statePaths(dir);
  const copy = (from: string, to: string) => {
    execFileSync('install', ['-D', '-m', '600', path.join(work, from), to]);
  };
  copy('device.key', paths.key);
  copy('device.crt', paths.certificate);
  copy('ca.crt', paths.caChain);
  const client = new IngestClient(paths, {
    server: fake.url,
    ingest_url: fake.url,
    device_id: 'd',
    org_id: 'o',
    enrolled_at: new Date().toISOString(),
  });
  const queue = DurableQueue.open<{ id: string }>(paths.queue);
  const log = { shipped: [] as number[], errors: [] as string[], refused: [] as string[] };
  const shipper = new Shipper(queue, client, {
    onShipped: (n) => log.shipped.push(n),
    onError: (m) => log.errors.push(m),
    onRefused: (r) => log.refused.push(r),
    ...options,
  });
  let next = 0;
  /** Appends `count` events in one journal write (one fsync), then tells the shipper. */
  const add = (count: number) => {
    queue.append(Array.from({ length: count }, () => ({ id: `e-${String(next++).padStart(5, '0')}` })));
    shipper.notify();
  };
  const close = () => {
    shipper.stop();
    queue.close();
    client.close();
  };
  return { queue, shipper, log, add, close };
}

async function until(what: string, probe: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  makePki();
  fake = await startFakeIngest();
}, 60_000);

afterAll(() => fake?.close());

function reset(answers: Answer[] = [], fallback: Answer = 'ok') {
  fake.answers = answers;
  fake.fallback = fallback;
  fake.requests = [];
}

describe('Shipper against a real mTLS ingest fake', () => {
  it('ships 50 events at once, without waiting for the timer', async () => {
    reset();
    const s = setup({ maxDelayMs: 120_000 });
    s.add(49);
    await sleep(1000);
    expect(fake.requests).toHaveLength(0); // 49 < 50 and the timer is two minutes away
    s.add(1);
    await until('the full batch', () => s.queue.stats().pending === 0);
    expect(fake.requests.map((r) => r.ids.length)).toEqual([50]);
    s.close();
  }, 60_000);

  it('ships a partial batch once its oldest event has waited maxDelayMs, not before', async () => {
    reset();
    const s = setup({ maxDelayMs: 2000 });
    const appendedAt = Date.now();
    s.add(3);
    await sleep(500);
    expect(fake.requests).toHaveLength(0);
    await until('the partial batch', () => fake.requests.length === 1);
    expect(fake.requests[0]!.ids).toEqual(['e-00000', 'e-00001', 'e-00002']);
    // Load can only make it later: the lower bound is what batching promises.
    expect(fake.requests[0]!.at - appendedAt).toBeGreaterThanOrEqual(1900);
    await until('the ack', () => s.queue.stats().pending === 0);
    s.close();
  }, 60_000);

  it('backs off with jitter through 503s and dropped connections, and acks only after a 200', async () => {
    reset(['503', 'close', '503', 'close']);
    const s = setup({ maxDelayMs: 50, baseBackoffMs: 100, maxBackoffMs: 800 });
    s.add(7);
    await until('the second failure', () => fake.requests.length >= 2);
    expect(s.queue.stats().pending).toBe(7); // nothing acknowledged yet, nothing dropped
    expect(s.shipper.state.kind).toBe('retrying');
    await until('the delivery', () => s.queue.stats().pending === 0);
    expect(fake.requests.map((r) => r.answer)).toEqual(['503', 'close', '503', 'close', 'ok']);
    // Every attempt resent the same events, in order: ids make the resend safe at the server.
    for (const r of fake.requests) expect(r.ids).toEqual(fake.requests[0]!.ids);
    expect(s.log.errors).toHaveLength(4);
    expect(s.log.errors[0]).toMatch(/HTTP 503: database restarting/);
    expect(s.log.errors[1]).toMatch(/socket hang up|ECONNRESET/);
    expect(s.log.shipped).toEqual([7]);
    expect(s.shipper.state).toMatchObject({ kind: 'ok', lastShipmentAt: expect.any(String) });
    // Waits grow: each retry waits at least half its ceiling (100·2^n / 2 = 100, 200, 400, 400).
    const gaps = fake.requests.slice(1).map((r, i) => r.at - fake.requests[i]!.at);
    for (const [i, gap] of gaps.entries())
      expect(gap).toBeGreaterThanOrEqual(Math.min(800, 100 * 2 ** (i + 1)) / 2 - 20);
    s.close();
  }, 60_000);

  it('draws backoff delays between half the ceiling and the ceiling, spread out (jitter)', () => {
    for (let attempt = 1; attempt <= 10; attempt++) {
      const ceiling = Math.min(60_000, 1000 * 2 ** attempt);
      const samples = Array.from({ length: 200 }, () => backoffDelay(attempt, 1000, 60_000));
      for (const d of samples) {
        expect(d).toBeGreaterThanOrEqual(ceiling / 2);
        expect(d).toBeLessThan(ceiling);
      }
      expect(new Set(samples).size).toBeGreaterThan(50);
    }
  });

  it('stops on a refusal (401), keeps the queue and says why', async () => {
    reset([], '401');
    const s = setup({ maxDelayMs: 50, baseBackoffMs: 50 });
    s.add(4);
    await until('the refusal', () => s.shipper.state.kind === 'refused');
    expect(s.shipper.state).toMatchObject({ kind: 'refused', reason: 'this device has been revoked' });
    expect(s.log.refused).toEqual(['this device has been revoked']);
    s.add(2); // more events after the refusal are kept, not sent
    await sleep(1500);
    expect(fake.requests).toHaveLength(1);
    expect(s.queue.stats().pending).toBe(6);
    s.close();
  }, 60_000);

  it('catches up on a backlog with bigger batches, in order, nothing lost or repeated', async () => {
    reset(['503']);
    const s = setup({ maxDelayMs: 50, baseBackoffMs: 5000, backlogBatchSize: 200 });
    s.add(1);
    await until('the outage to be seen', () => fake.requests.length === 1);
    s.add(499); // the backlog builds up during the backoff
    await until('the catch-up', () => s.queue.stats().pending === 0);
    const sizes = fake.requests.slice(1).map((r) => r.ids.length);
    expect(sizes).toEqual([200, 200, 50, 50]); // backlog (>4 batches) → 200s, then normal 50s
    const ids = fake.requests.slice(1).flatMap((r) => r.ids);
    expect(ids).toEqual(Array.from({ length: 500 }, (_, i) => `e-${String(i).padStart(5, '0')}`));
    s.close();
  }, 60_000);

  it('flush() retries a transient failure for a few seconds instead of leaving the last batch behind', async () => {
    reset([], '503');
    const s = setup({ maxDelayMs: 60_000 });
    s.add(1);
    setTimeout(() => {
      fake.fallback = 'ok';
    }, 600);
    expect(await s.shipper.flush()).toBe(true);
    expect(fake.requests.length).toBeGreaterThan(1);
    expect(s.queue.stats().pending).toBe(0);
    s.close();
  }, 60_000);

  it('flush() during a long backoff tries once more now instead of waiting it out', async () => {
    reset([], '503');
    const s = setup({ maxDelayMs: 50, baseBackoffMs: 60_000, maxBackoffMs: 120_000 });
    s.add(2);
    await until('the first failure', () => fake.requests.length === 1);
    fake.fallback = 'ok';
    const started = Date.now();
    expect(await s.shipper.flush()).toBe(true);
    expect(Date.now() - started).toBeLessThan(30_000); // the backoff alone was ≥ 60 s
    expect(s.queue.stats().pending).toBe(0);
    s.close();
  }, 60_000);
});
