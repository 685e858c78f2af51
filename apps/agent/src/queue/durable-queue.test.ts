import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DurableQueue } from './durable-queue.js';

const tempDir = () => mkdtempSync(path.join(tmpdir(), 'toktra-queue-'));
const items = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({ id: from + i, pad: 'x'.repeat(40) }));

describe('DurableQueue', () => {
  it('hands out items in order and forgets them only once acknowledged', () => {
    const dir = tempDir();
    const q = DurableQueue.open<{ id: number }>(dir, { segmentBytes: 500 });
    q.append(items(0, 30));
    const first = q.peek(10);
    expect(first.items.map((i) => i.id)).toEqual([...Array(10).keys()]);
    expect(q.peek(10).items.map((i) => i.id)).toEqual([...Array(10).keys()]); // not acked yet
    q.ack(first.cursor);
    expect(q.peek(5).items.map((i) => i.id)).toEqual([10, 11, 12, 13, 14]);
    expect(q.stats().pending).toBe(20);
    q.close();
  });

  it('survives a restart with the unacknowledged items intact', () => {
    const dir = tempDir();
    const q = DurableQueue.open<{ id: number }>(dir, { segmentBytes: 400 });
    q.append(items(0, 25));
    q.ack(q.peek(7).cursor);
    q.close();
    const reopened = DurableQueue.open<{ id: number }>(dir, { segmentBytes: 400 });
    expect(reopened.stats().pending).toBe(18);
    expect(reopened.peek(100).items.map((i) => i.id)).toEqual(Array.from({ length: 18 }, (_, i) => i + 7));
    reopened.append(items(25, 2));
    expect(reopened.peek(100).items.at(-1)).toMatchObject({ id: 26 });
  });

  it('deletes segments once fully acknowledged', () => {
    const dir = tempDir();
    const q = DurableQueue.open<{ id: number }>(dir, { segmentBytes: 300 });
    for (let i = 0; i < 10; i++) q.append(items(i * 5, 5));
    const before = readdirSync(dir).filter((n) => n.startsWith('seg-')).length;
    expect(before).toBeGreaterThan(3);
    q.ack(q.peek(1000).cursor);
    expect(readdirSync(dir).filter((n) => n.startsWith('seg-')).length).toBe(1);
    expect(q.stats().pending).toBe(0);
  });

  it('ignores a torn last line left by a crash mid-write', () => {
    const dir = tempDir();
    const q = DurableQueue.open<{ id: number }>(dir);
    q.append(items(0, 3));
    q.close();
    const segment = readdirSync(dir).find((n) => n.startsWith('seg-'))!;
    appendFileSync(path.join(dir, segment), '{"id": 99, "pa');
    const reopened = DurableQueue.open<{ id: number }>(dir);
    expect(reopened.peek(10).items.map((i) => i.id)).toEqual([0, 1, 2]);
    reopened.append(items(3, 1));
    expect(reopened.peek(10).items.map((i) => i.id)).toEqual([0, 1, 2, 3]);
  });

  it('drops the oldest items when over its disk budget, and counts them', () => {
    const dir = tempDir();
    const q = DurableQueue.open<{ id: number }>(dir, { segmentBytes: 600, maxBytes: 2000 });
    for (let i = 0; i < 20; i++) q.append(items(i * 5, 5));
    const { pending, pendingBytes, dropped } = q.stats();
    expect(pendingBytes).toBeLessThanOrEqual(2000);
    expect(dropped).toBeGreaterThan(0);
    expect(pending + dropped).toBe(100);
    const ids = q.peek(1000).items.map((i) => i.id);
    expect(ids.at(-1)).toBe(99); // the newest are kept
    expect(ids[0]).toBe(dropped);
  });

  it('loses nothing that append returned for, when killed -9 mid-stream', async () => {
    const dir = tempDir();
    const writer = fileURLToPath(new URL('./testing/queue-writer.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', writer, dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let confirmed = -1;
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        const last = d.toString().trim().split('\n').at(-1);
        if (last) confirmed = Number(last);
        if (confirmed >= 300) child.kill('SIGKILL');
      });
      child.on('exit', () => resolve());
    });
    const q = DurableQueue.open<{ id: number }>(dir, { segmentBytes: 2048 });
    const ids = q.peek(1_000_000).items.map((i) => i.id);
    expect(ids.length).toBeGreaterThanOrEqual(confirmed + 1);
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => i));
  });

  it('appendAsync commits concurrent appends in order (group commit) and they survive a reopen', async () => {
    const dir = tempDir();
    const q = DurableQueue.open<{ id: number }>(dir, { segmentBytes: 2000 });
    await Promise.all(Array.from({ length: 100 }, (_, i) => q.appendAsync(items(i, 1))));
    expect(() => q.append(items(100, 1))).not.toThrow(); // no write in flight any more
    const pending = q.appendAsync(items(101, 1));
    expect(() => q.append(items(102, 1))).toThrow(/appendAsync/);
    await pending;
    await q.settle();
    expect(q.stats().pending).toBe(102);
    q.close();
    const reopened = DurableQueue.open<{ id: number }>(dir);
    expect(reopened.peek(1000).items.map((i) => i.id)).toEqual([...Array(102).keys()]);
    expect(readdirSync(dir).filter((f) => f.startsWith('seg-')).length).toBeGreaterThan(1);
    reopened.close();
  });
});
