import type { Tx } from '@toktra/db';
import type { AppContext } from '../context.js';
import type { DomainEvent, EventKind } from './kinds.js';

/**
 * Claims the event for a handler inside the handler's own transaction: true the first time,
 * false when a run already committed (then the handler must do nothing). Handlers whose effects
 * all live in one transaction call it there, which makes them exactly-once.
 */
export type Claim = (tx: Tx) => Promise<boolean>;

/**
 * A durable reaction to a domain event, run at least once by the job runner (and eagerly, right
 * after commit, by the process that wrote the event). `name` is stable: it keys the receipts.
 * Effects outside a claimed transaction must be idempotent on their own (per-channel keys).
 */
export interface EventHandler<K extends EventKind = EventKind> {
  name: string;
  kinds: readonly K[];
  run(ctx: AppContext, event: DomainEvent<K>, claim: Claim): Promise<void>;
}

export function defineHandler<K extends EventKind>(handler: EventHandler<K>): EventHandler {
  return handler as unknown as EventHandler;
}

async function receipted(ctx: AppContext, event: DomainEvent, handler: string): Promise<boolean> {
  const row = await ctx.db.withTenant(event.orgId, ({ db }) =>
    db
      .selectFrom('domain_event_receipts')
      .select('handler')
      .where('org_id', '=', event.orgId)
      .where('event_id', '=', event.id)
      .where('handler', '=', handler)
      .executeTakeFirst(),
  );
  return row !== undefined;
}

async function insertReceipt(tx: Tx, event: DomainEvent, handler: string): Promise<boolean> {
  const row = await tx.db
    .insertInto('domain_event_receipts')
    .values({ org_id: event.orgId, event_id: event.id, handler })
    .onConflict((oc) => oc.doNothing())
    .returning('handler')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Runs every handler of the event that has no receipt yet, each isolated from the others; throws
 * the first failure after trying them all, so the job retries only the ones that failed.
 */
export async function runHandlers(
  ctx: AppContext,
  event: DomainEvent,
  handlers: readonly EventHandler[],
): Promise<void> {
  let failure: unknown;
  for (const handler of handlers) {
    try {
      if (await receipted(ctx, event, handler.name)) continue;
      let claimed = false;
      await handler.run(ctx, event, (tx) => {
        claimed = true;
        return insertReceipt(tx, event, handler.name);
      });
      if (!claimed) await ctx.db.withTenant(event.orgId, (tx) => insertReceipt(tx, event, handler.name));
    } catch (error) {
      ctx.logger.warn({ err: error, handler: handler.name, event: event.id }, 'event handler failed');
      failure ??= error;
    }
  }
  if (failure !== undefined) throw failure;
}
