import { newEventId } from '@toktra/core';
import type { TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../../context.js';
import { ingestBatch } from '../../../usage/ingest.js';
import { bearer, createKey, createTestContext, type SeededOrg, seedOrg } from '../../../usage/testing.js';
import { buildHttpApp, type HttpApp } from '../../app.js';

let ctx: AppContext;
let handle: TestDatabase;
let app: HttpApp;
let base: string;
let a: SeededOrg;
let b: SeededOrg;
let aKey: string;

beforeAll(async () => {
  ({ ctx, handle } = await createTestContext({ sseHeartbeatMs: 200 }));
  a = await seedOrg(ctx, 'stream-a');
  b = await seedOrg(ctx, 'stream-b');
  aKey = await createKey(ctx, a.orgId, ['read']);
  app = await buildHttpApp(ctx);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  await app.close();
  await handle.drop();
});

/** Reads an SSE response until `until` holds for the text so far (or the deadline passes). */
async function readUntil(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  seen: { text: string },
  until: (t: string) => boolean,
) {
  const decoder = new TextDecoder();
  const deadline = Date.now() + 10_000;
  while (!until(seen.text)) {
    if (Date.now() > deadline) throw new Error(`timed out; got: ${seen.text}`);
    const { value, done } = await reader.read();
    if (done) break;
    seen.text += decoder.decode(value, { stream: true });
  }
  return seen.text;
}

const event = (bytesUp: number) => ({
  id: newEventId(),
  occurred_at: new Date(Date.now() - 60_000).toISOString(),
  host: 'api.openai.com',
  transport: 'tcp',
  bytes_up: bytesUp,
  bytes_down: 72_000,
  source: 'agent',
});

function usageEvents(text: string) {
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('event: usage\n'))
    .map((block) => JSON.parse(block.slice(block.indexOf('data: ') + 6)));
}

describe('GET /v1/usage/stream', () => {
  it("pushes the new totals of its own org's batches only, with heartbeats, over a real socket", async () => {
    const controller = new AbortController();
    const response = await fetch(`${base}/v1/usage/stream`, {
      headers: bearer(aKey),
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const seen = { text: '' };
    await readUntil(reader, seen, (t) => t.includes(': connected'));

    // Org B's ingest first: if it leaked, it would arrive before A's.
    await ingestBatch(ctx, b.orgId, { type: 'device', deviceId: b.deviceId }, [event(9_999)]);
    await ingestBatch(ctx, a.orgId, { type: 'device', deviceId: a.deviceId }, [event(6_000), event(6_000)]);
    await readUntil(reader, seen, (t) => usageEvents(t).length >= 1);
    await readUntil(reader, seen, (t) => t.includes(': heartbeat'));

    const pushed = usageEvents(seen.text);
    expect(pushed).toHaveLength(1);
    expect(pushed[0].totals).toEqual({
      events: 2,
      bytes_up: 12_000,
      bytes_down: 144_000,
      est_input_tokens: 2100,
      est_output_tokens: 404,
    });
    expect(pushed[0].by_user).toEqual([expect.objectContaining({ user_id: a.users.alice, events: 2 })]);
    expect(pushed[0].by_provider).toEqual([expect.objectContaining({ provider: 'openai', events: 2 })]);

    controller.abort();
    // The server drops the subscription once the client is gone.
    const deadline = Date.now() + 5_000;
    while (ctx.usageBus.listenerCount('batch') > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(ctx.usageBus.listenerCount('batch')).toBe(0);
  });

  it('ends open streams cleanly when the server closes', async () => {
    const extra = await buildHttpApp(ctx);
    await extra.listen({ host: '127.0.0.1', port: 0 });
    const address = extra.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const response = await fetch(`http://127.0.0.1:${port}/v1/usage/stream`, { headers: bearer(aKey) });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await readUntil(reader, { text: '' }, (t) => t.includes(': connected'));
    await extra.close();
    const seen = { text: '' };
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      seen.text += decoder.decode(value);
    }
    expect(ctx.usageBus.listenerCount('batch')).toBe(0);
  });

  it('needs a key', async () => {
    const response = await fetch(`${base}/v1/usage/stream`);
    expect(response.status).toBe(401);
  });
});
