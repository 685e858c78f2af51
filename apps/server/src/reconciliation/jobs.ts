import type { Tx } from '@toktra/db';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { defineJob } from '../jobs/define-job.js';
import { enqueueJob } from '../jobs/enqueue.js';
import { refitCalibration } from './calibration.js';
import { pollConnection, TRAILING_DAYS } from './poll.js';
import { emitShadowAiNotices } from './shadow-ai.js';

const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);

/**
 * Everything one sync does: poll the connection (backfill or trailing window), then refit the
 * org's calibration for that provider and emit Shadow AI notices for the re-read days.
 */
export async function syncConnection(ctx: AppContext, orgId: string, connectionId: string, now = new Date()) {
  const result = await pollConnection(ctx, orgId, connectionId, { now });
  if ('error' in result) return result;
  const provider = (
    await ctx.db.withTenant(orgId, (tx) =>
      tx.db
        .selectFrom('provider_connections')
        .select('provider')
        .where('org_id', '=', orgId)
        .where('id', '=', connectionId)
        .executeTakeFirstOrThrow(),
    )
  ).provider;
  const fit = await refitCalibration(ctx, orgId, provider, now);
  const notices = await emitShadowAiNotices(ctx, orgId, provider, {
    startDate: isoDay(now.getTime() - TRAILING_DAYS * 86_400_000),
    endDate: isoDay(now.getTime()),
  });
  return { ...result, fit, notices };
}

export const syncConnectionJob = defineJob({
  name: 'reconciliation.sync',
  payload: z.object({ orgId: z.string().uuid(), connectionId: z.string().uuid() }),
  maxAttempts: 3,
  async run(ctx, payload) {
    await syncConnection(ctx, payload.orgId, payload.connectionId);
  },
});

export const syncDedupeKey = (connectionId: string) => `reconciliation.sync:${connectionId}`;

/** Queues a sync in the caller's transaction (with the change that asks for it). */
export async function queueSync(tx: Tx, orgId: string, connectionId: string): Promise<void> {
  await enqueueJob(
    tx,
    syncConnectionJob,
    { orgId, connectionId },
    { orgId, dedupeKey: syncDedupeKey(connectionId) },
  );
}

/** Enqueues a sync unless one is already queued or running; returns that job's id either way. */
export async function enqueueSync(ctx: AppContext, orgId: string, connectionId: string): Promise<number> {
  const key = syncDedupeKey(connectionId);
  const id = await enqueueJob(ctx.db, syncConnectionJob, { orgId, connectionId }, { orgId, dedupeKey: key });
  if (id !== undefined) return id;
  const pending = await ctx.db.forOrg(orgId, (tx) =>
    tx.db
      .selectFrom('jobs')
      .select('id')
      .where('dedupe_key', '=', key)
      .where('status', 'in', ['queued', 'running'])
      .executeTakeFirstOrThrow(),
  );
  return pending.id;
}

/**
 * The hourly fan-out: one sync per connection that is not backing off. Cross-tenant by nature,
 * so it reads connection ids as the system and hands each to a tenant-scoped job.
 */
export const pollAllConnectionsJob = defineJob({
  name: 'reconciliation.poll-all',
  payload: z.object({}).passthrough(),
  async run(ctx) {
    const now = new Date();
    const due = await ctx.db.system((tx) =>
      tx.db
        .selectFrom('provider_connections')
        .select(['id', 'org_id'])
        .where((eb) => eb.or([eb('next_poll_at', 'is', null), eb('next_poll_at', '<=', now)]))
        .execute(),
    );
    for (const c of due) await enqueueSync(ctx, c.org_id, c.id);
  },
});

export const POLL_EVERY_MS = 3_600_000;
