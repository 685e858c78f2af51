import { createTestDatabase, type TestDatabase } from '@toktra/db/testing';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { resolveConfig } from '../config.js';
import { type AppContext, createContext } from '../context.js';
import { defineJob } from './define-job.js';
import { enqueueJob } from './enqueue.js';
import { backoffMs, JobRunner } from './runner.js';

let handle: TestDatabase;
let ctx: AppContext;
const seen: number[] = [];
let failuresLeft = 0;

const record = defineJob({
  name: 'test.record',
  payload: z.object({ n: z.number() }),
  run: async (_ctx, payload) => {
    if (failuresLeft > 0) {
      failuresLeft -= 1;
      throw new Error('flaky');
    }
    seen.push(payload.n);
  },
});
const alwaysFails = defineJob({
  name: 'test.fails',
  payload: z.object({}),
  maxAttempts: 3,
  run: async () => {
    throw new Error('permanent');
  },
});

const farFuture = () => new Date(Date.now() + 10 * 3_600_000);

beforeAll(async () => {
  handle = await createTestDatabase();
  ctx = createContext(resolveConfig({}), handle.db, pino({ level: 'silent' }));
});
afterAll(() => handle.drop());
beforeEach(async () => {
  seen.length = 0;
  failuresLeft = 0;
  await ctx.db.system(({ db }) => db.deleteFrom('jobs').execute());
});

describe('job runner', () => {
  it('runs a due job once and marks it done', async () => {
    await enqueueJob(ctx.db, record, { n: 1 });
    const runner = new JobRunner(ctx, [record]);
    expect(await runner.runOnce()).toBe(1);
    expect(await runner.runOnce()).toBe(0);
    expect(seen).toEqual([1]);
  });

  it('does not run a job before its time', async () => {
    await enqueueJob(ctx.db, record, { n: 2 }, { runAt: new Date(Date.now() + 60_000) });
    expect(await new JobRunner(ctx, [record]).runOnce()).toBe(0);
    expect(seen).toEqual([]);
  });

  it('retries a failing job with backoff, then succeeds', async () => {
    failuresLeft = 2;
    await enqueueJob(ctx.db, record, { n: 3 });
    const runner = new JobRunner(ctx, [record]);
    await runner.runOnce();
    const row = await ctx.db.system(({ db }) => db.selectFrom('jobs').selectAll().executeTakeFirstOrThrow());
    expect(row).toMatchObject({ status: 'queued', attempts: 1, last_error: 'flaky' });
    expect(row.run_at.getTime()).toBeGreaterThan(Date.now());
    await new JobRunner(ctx, [record], [], { now: farFuture }).runOnce();
    await new JobRunner(ctx, [record], [], { now: farFuture }).runOnce();
    expect(seen).toEqual([3]);
  });

  it('marks a job dead after max attempts, with the reason', async () => {
    await enqueueJob(ctx.db, alwaysFails, {});
    for (let i = 0; i < 5; i++) await new JobRunner(ctx, [alwaysFails], [], { now: farFuture }).runOnce();
    const row = await ctx.db.system(({ db }) => db.selectFrom('jobs').selectAll().executeTakeFirstOrThrow());
    expect(row).toMatchObject({ status: 'dead', attempts: 3, last_error: 'permanent' });
  });

  it('deduplicates pending jobs by key', async () => {
    expect(await enqueueJob(ctx.db, record, { n: 4 }, { dedupeKey: 'k' })).toBeTypeOf('number');
    expect(await enqueueJob(ctx.db, record, { n: 5 }, { dedupeKey: 'k' })).toBeUndefined();
    await new JobRunner(ctx, [record]).runOnce();
    expect(seen).toEqual([4]);
    expect(await enqueueJob(ctx.db, record, { n: 6 }, { dedupeKey: 'k' })).toBeTypeOf('number');
  });

  it('reclaims a job whose worker died mid-run', async () => {
    await enqueueJob(ctx.db, record, { n: 7 });
    await ctx.db.system(({ db }) =>
      db
        .updateTable('jobs')
        .set({ status: 'running', locked_until: new Date(Date.now() - 1000) })
        .execute(),
    );
    await new JobRunner(ctx, [record]).runOnce();
    expect(seen).toEqual([7]);
  });

  it('enqueues recurring jobs once per slot', async () => {
    const runner = new JobRunner(ctx, [], [{ job: record, everyMs: 3_600_000, payload: { n: 8 } }]);
    await runner.runOnce();
    await runner.runOnce();
    expect(seen).toEqual([8]);
  });

  it('never runs a job twice when workers race', async () => {
    for (let n = 0; n < 40; n++) await enqueueJob(ctx.db, record, { n });
    const runners = [0, 1, 2].map(() => new JobRunner(ctx, [record], [], { batchSize: 3 }));
    await Promise.all(runners.map((r) => r.runOnce()));
    expect([...seen].sort((a, b) => a - b)).toEqual([...Array(40).keys()]);
  });

  it('backs off exponentially with jitter, capped', () => {
    for (let attempt = 1; attempt < 30; attempt++) {
      const ms = backoffMs(attempt);
      const ceiling = Math.min(3_600_000, 1000 * 2 ** attempt);
      expect(ms).toBeGreaterThanOrEqual(ceiling / 2);
      expect(ms).toBeLessThanOrEqual(ceiling);
    }
  });
});
