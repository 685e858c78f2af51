import type { Database, Tx } from '@toktra/db';
import type { z } from 'zod';
import type { JobDefinition } from './define-job.js';

export interface EnqueueOptions {
  orgId?: string;
  runAt?: Date;
  /** While a job with this key is queued or running, enqueueing another is a no-op. */
  dedupeKey?: string;
}

/**
 * Enqueues a job. Pass the caller's transaction so the job exists exactly when the change that
 * asked for it commits; pass the Database for standalone work.
 */
export async function enqueueJob<S extends z.ZodType>(
  target: Tx | Database,
  job: JobDefinition<S>,
  payload: z.input<S>,
  options: EnqueueOptions = {},
): Promise<number | undefined> {
  const parsed = job.payload.parse(payload);
  const insert = async (tx: Tx) => {
    const row = await tx.db
      .insertInto('jobs')
      .values({
        name: job.name,
        org_id: options.orgId ?? null,
        payload: JSON.stringify(parsed ?? {}),
        // The workers' clock decides when a job is due, so the enqueuer's clock sets it too.
        run_at: options.runAt ?? new Date(),
        ...(job.maxAttempts ? { max_attempts: job.maxAttempts } : {}),
        dedupe_key: options.dedupeKey ?? null,
      })
      .onConflict((oc) => oc.column('dedupe_key').where('status', 'in', ['queued', 'running']).doNothing())
      .returning('id')
      .executeTakeFirst();
    return row?.id;
  };
  if (!('withTenant' in target)) return insert(target);
  // An org's jobs live in its region's store, where the runner for that region claims them.
  return options.orgId ? target.forOrg(options.orgId, insert) : target.system(insert);
}
