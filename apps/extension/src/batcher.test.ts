import { describe, expect, it } from 'vitest';
import { BATCH_SIZE, Batcher, type SendResult } from './batcher.js';
import type { RequestRecord } from './record.js';

const record = (n: number): RequestRecord => ({
  id: `id-${n}`,
  started_at: new Date(0).toISOString(),
  duration_ms: 1,
  host: 'api.openai.com',
  path_class: 'chat',
  method: 'POST',
  model: null,
  status_code: 200,
  bytes_up: 1,
  bytes_down: 1,
});

describe('Batcher', () => {
  it('sends a full batch at once and the rest after the delay', async () => {
    const sent: number[] = [];
    const b = new Batcher(
      async (batch) => {
        sent.push(batch.length);
        return 'ok';
      },
      undefined,
      50,
    );
    for (let i = 0; i < BATCH_SIZE + 3; i++) b.add(record(i));
    await b.flush();
    expect(sent[0]).toBe(BATCH_SIZE);
    await new Promise((r) => setTimeout(r, 120));
    expect(sent.reduce((a, n) => a + n, 0)).toBe(BATCH_SIZE + 3);
    expect(b.size).toBe(0);
  });

  it('keeps records when the server fails and resends the same ids', async () => {
    const attempts: string[][] = [];
    let result: SendResult = 'retry';
    const b = new Batcher(
      async (batch) => {
        attempts.push(batch.map((r) => r.id));
        return result;
      },
      undefined,
      20,
    );
    b.add(record(1));
    b.add(record(2));
    await b.flush();
    expect(b.size).toBe(2);
    result = 'ok';
    await new Promise((r) => setTimeout(r, 80));
    expect(b.size).toBe(0);
    expect(attempts.at(-1)).toEqual(attempts[0]);
  });

  it('persists the queue on every change', () => {
    const sizes: number[] = [];
    const b = new Batcher(
      async () => 'ok',
      (q) => sizes.push(q.length),
      10_000,
    );
    b.add(record(1));
    b.add(record(2));
    expect(sizes).toEqual([1, 2]);
  });
});
