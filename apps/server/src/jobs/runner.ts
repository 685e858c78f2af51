import { randomInt } from 'node:crypto';
import type { RegionStore } from '@toktra/db';
import { sql } from 'kysely';
import type { Counter } from 'prom-client';
import type { AppContext } from '../context.js';
import { counter } from '../metrics.js';
import type { JobDefinition, RecurringJob } from './define-job.js';
import { enqueueJob } from './enqueue.js';

export interface JobRunnerOptions {
  pollMs?: number;
  batchSize?: number;
  lockMs?: number;
  now?: () => Date;
}

/** Exponential backoff with full jitter: attempt 1 → up to 2 s, attempt 6 → up to ~1 min, capped at 1 h. */
export function backoffMs(attempt: number): number {
  const ceiling = Math.min(3_600_000, 1000 * 2 ** attempt);
  return Math.floor(ceiling / 2) + randomInt(Math.max(1, Math.floor(ceiling / 2)));
}

/**
 * Claims due jobs with `FOR UPDATE SKIP LOCKED` (several workers may run against one Postgres),
 * runs them, and retries failures with backoff until `max_attempts`, then marks them dead. A job
 * whose worker died is reclaimed once its lock expires.
 */
export class JobRunner {
  private readonly byName = new Map<string, JobDefinition>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private readonly outcomes: Counter<'job' | 'outcome'>;
  /** Jobs run against one store at a time: a job sees only the orgs of its own region. */
  private readonly storeContexts = new WeakMap<RegionStore, AppContext>();

  constructor(
    private readonly ctx: AppContext,
    jobs: readonly JobDefinition[],
    private readonly recurring: readonly RecurringJob[] = [],
    private readonly options: JobRunnerOptions = {},
  ) {
    for (const job of jobs) this.byName.set(job.name, job);
    for (const r of recurring) this.byName.set(r.job.name, r.job);
    this.outcomes = counter(ctx.metrics, {
      name: 'toktra_jobs_total',
      help: 'Background jobs run, by outcome',
      labelNames: ['job', 'outcome'],
    });
  }

  start(): void {
    const tick = () => {
      this.running = this.runOnce()
        .catch((err) => this.ctx.logger.error({ err }, 'job runner tick failed'))
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, this.options.pollMs ?? 1000);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** In every store: enqueues due recurring jobs, then runs every due job once. Returns how many ran. */
  async runOnce(): Promise<number> {
    let ran = 0;
    for (const store of this.ctx.db.stores()) ran += await this.runStore(this.contextOf(store));
    return ran;
  }

  private contextOf(store: RegionStore): AppContext {
    let ctx = this.storeContexts.get(store);
    if (!ctx) {
      ctx = store === this.ctx.db ? this.ctx : { ...this.ctx, db: store };
      this.storeContexts.set(store, ctx);
    }
    return ctx;
  }

  private async runStore(ctx: AppContext): Promise<number> {
    const now = this.options.now?.() ?? new Date();
    for (const r of this.recurring)
      await this.enqueueRecurring(ctx, r, Math.floor(now.getTime() / r.everyMs));
    let ran = 0;
    for (;;) {
      // A fresh clock per pass: jobs enqueued just above (recurring ones) are due now too.
      const claimed = await this.claim(ctx, this.options.now?.() ?? new Date());
      for (const job of claimed) await this.execute(ctx, job);
      ran += claimed.length;
      if (claimed.length < (this.options.batchSize ?? 10)) return ran;
    }
  }

  private async enqueueRecurring(ctx: AppContext, r: RecurringJob, slot: number): Promise<void> {
    await ctx.db.system(async (tx) => {
      const claimed = await tx.db
        .insertInto('job_schedules')
        .values({ name: r.job.name, last_slot: slot })
        .onConflict((oc) =>
          oc.column('name').doUpdateSet({ last_slot: slot }).where('job_schedules.last_slot', '<', slot),
        )
        .returning('name')
        .executeTakeFirst();
      if (claimed) await enqueueJob(tx, r.job, r.payload ?? {}, { dedupeKey: r.job.name });
    });
  }

  private async claim(ctx: AppContext, now: Date) {
    const lockUntil = new Date(now.getTime() + (this.options.lockMs ?? 5 * 60_000));
    return ctx.db.system(async ({ db }) => {
      const due = db
        .selectFrom('jobs')
        .select('id')
        .where((eb) =>
          eb.or([
            eb.and([eb('status', '=', 'queued'), eb('run_at', '<=', now)]),
            eb.and([eb('status', '=', 'running'), eb('locked_until', '<', now)]),
          ]),
        )
        .orderBy('run_at')
        .limit(this.options.batchSize ?? 10)
        .forUpdate()
        .skipLocked();
      return db
        .updateTable('jobs')
        .set((eb) => ({ status: 'running', attempts: eb('attempts', '+', 1), locked_until: lockUntil }))
        .where('id', 'in', due)
        .returningAll()
        .execute();
    });
  }

  private async execute(
    ctx: AppContext,
    row: {
      id: number;
      name: string;
      org_id: string | null;
      payload: unknown;
      attempts: number;
      max_attempts: number;
    },
  ) {
    const job = this.byName.get(row.name);
    try {
      if (!job) throw new Error(`no handler for job "${row.name}"`);
      await job.run(ctx, job.payload.parse(row.payload), {
        id: row.id,
        orgId: row.org_id,
        attempt: row.attempts,
      });
      await this.finish(ctx, row.id, { status: 'done', finished_at: new Date(), last_error: null });
      this.outcomes.inc({ job: row.name, outcome: 'done' });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const dead = row.attempts >= row.max_attempts;
      this.ctx.logger.warn(
        { job: row.name, id: row.id, attempt: row.attempts, err: error },
        dead ? 'job dead' : 'job failed; will retry',
      );
      await this.finish(
        ctx,
        row.id,
        dead
          ? { status: 'dead', finished_at: new Date(), last_error: message }
          : { status: 'queued', run_at: new Date(Date.now() + backoffMs(row.attempts)), last_error: message },
      );
      this.outcomes.inc({ job: row.name, outcome: dead ? 'dead' : 'retry' });
    }
  }

  private async finish(ctx: AppContext, id: number, values: Record<string, unknown>) {
    await ctx.db.system(({ db }) =>
      db
        .updateTable('jobs')
        .set({ ...values, locked_until: null })
        .where('id', '=', id)
        .execute(),
    );
  }
}

/** Deletes finished jobs older than `days`, so the queue table stays small. */
export async function pruneJobs(ctx: AppContext, days = 14): Promise<void> {
  await ctx.db.system(({ db }) =>
    db
      .deleteFrom('jobs')
      .where('status', 'in', ['done', 'dead'])
      .where('finished_at', '<', sql<Date>`now() - make_interval(days => ${days})`)
      .execute(),
  );
}
