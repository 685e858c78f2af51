import { z } from 'zod';
import type { AppContext } from '../context.js';
import { defineJob } from '../jobs/define-job.js';
import { runHandlers } from './handlers.js';
import type { DomainEvent, EventKind } from './kinds.js';

/** Loads one outbox row of an org. */
export async function loadEvent(
  ctx: AppContext,
  orgId: string,
  id: number,
): Promise<DomainEvent | undefined> {
  const row = await ctx.db.withTenant(orgId, ({ db }) =>
    db
      .selectFrom('domain_events')
      .select(['id', 'org_id', 'kind', 'payload', 'origin'])
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst(),
  );
  if (!row) return undefined;
  return {
    id: Number(row.id),
    orgId: row.org_id,
    kind: row.kind as EventKind,
    payload: row.payload as never,
    origin: row.origin,
  };
}

/**
 * The durable path of every domain event: queued in the causing transaction, it runs the
 * registered handlers that have not run yet (receipts), so a handler runs at least once however
 * often the job is redelivered, and a failing handler is retried without repeating the others.
 */
export const dispatchEventJob = defineJob({
  name: 'events.dispatch',
  payload: z.object({ event_id: z.number().int().positive() }),
  maxAttempts: 10,
  async run(ctx, { event_id }, job) {
    if (!job.orgId) throw new Error('events.dispatch needs an org');
    const event = await loadEvent(ctx, job.orgId, event_id);
    if (!event) return; // the org was erased (cascade) or the event pruned
    await runHandlers(ctx, event, ctx.events.handlersFor(event.kind));
  },
});
