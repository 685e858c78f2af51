import type { Tx } from '@toktra/db';
import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import { enqueueJob } from '../jobs/enqueue.js';
import { dispatchEventJob } from './dispatch-job.js';
import { EVENTS_CHANNEL } from './feed.js';
import type { DomainEvent, EventKind, EventPayloads } from './kinds.js';

/**
 * Records a domain event in the caller's transaction: the outbox row, the job that runs its
 * durable handlers (events/registry.ts) at least once, and a NOTIFY that PostgreSQL delivers to
 * every server process when (and only if) the transaction commits. After commit, this process
 * learns of it at once (ctx.events: cache invalidation, SSE, eager handler runs).
 */
export async function emitEvent<K extends EventKind>(
  ctx: Pick<AppContext, 'events'>,
  tx: Tx,
  orgId: string,
  kind: K,
  payload: EventPayloads[K],
): Promise<DomainEvent<K>> {
  const row = await tx.db
    .insertInto('domain_events')
    .values({ org_id: orgId, kind, payload: JSON.stringify(payload), origin: ctx.events.origin })
    .returning('id')
    .executeTakeFirstOrThrow();
  const id = Number(row.id);
  if (ctx.events.hasHandlers(kind))
    await enqueueJob(tx, dispatchEventJob, { event_id: id }, { orgId, dedupeKey: `event:${orgId}:${id}` });
  await sql`SELECT pg_notify(${EVENTS_CHANNEL}, ${String(id)})`.execute(tx.db);
  const event: DomainEvent<K> = { id, orgId, kind, payload, origin: ctx.events.origin };
  tx.onCommit(() => ctx.events.committed(event));
  return event;
}

/** Emits one event in a transaction of its own (work that has no transaction to join). */
export function emitEventNow<K extends EventKind>(
  ctx: Pick<AppContext, 'events' | 'db'>,
  orgId: string,
  kind: K,
  payload: EventPayloads[K],
): Promise<DomainEvent<K>> {
  return ctx.db.withTenant(orgId, (tx) => emitEvent(ctx, tx, orgId, kind, payload));
}
