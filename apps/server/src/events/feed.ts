import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { RegionStore } from '@toktra/db';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { AppContext } from '../context.js';
import { type EventHandler, runHandlers } from './handlers.js';
import type { DomainEvent, EventKind } from './kinds.js';

export const EVENTS_CHANNEL = 'toktra_events';
/** Rows younger than this may still have lower-id neighbours in flight; they are re-read. */
const SETTLE_MS = 5_000;
/** A catch-up read even without NOTIFY (a notification lost with a dropped connection). */
const POLL_MS = 5_000;
const PAGE = 500;

export type EventListener<K extends EventKind> = (event: DomainEvent<K>, local: boolean) => void;

interface StoreCursor {
  store: RegionStore;
  floor: number;
  seen: Set<number>;
  pulling: Promise<void> | undefined;
  again: boolean;
  unlisten: () => Promise<void>;
}

/**
 * This process's view of the outbox. Events written here arrive right after their commit
 * (`committed`); events written by other processes arrive through LISTEN/NOTIFY and a read of
 * the outbox after the last row seen (`start`) — the same read catches up after a reconnect.
 * Listeners (caches, SSE) see both; durable handlers run eagerly only for this process's events
 * (the job queued with each event covers crashes and the other processes' events).
 */
export class EventFeed {
  readonly origin = randomUUID();
  private readonly emitter = new EventEmitter();
  private readonly byKind = new Map<EventKind, EventHandler[]>();
  private readonly tails = new Map<string, Promise<void>>();
  private readonly cursors: StoreCursor[] = [];
  private ctx: AppContext | undefined;
  private eager = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    handlers: readonly EventHandler[],
    private readonly logger: Pick<Logger, 'error'>,
  ) {
    this.emitter.setMaxListeners(0);
    for (const h of handlers)
      for (const kind of h.kinds) this.byKind.set(kind, [...(this.byKind.get(kind) ?? []), h]);
  }

  bind(ctx: AppContext): void {
    this.ctx ??= ctx;
  }

  hasHandlers(kind: EventKind): boolean {
    return this.byKind.has(kind);
  }

  handlersFor(kind: EventKind): readonly EventHandler[] {
    return this.byKind.get(kind) ?? [];
  }

  /** Runs durable handlers in this process right after its own commits (the job stays the backstop). */
  runHandlersEagerly(): void {
    this.eager = true;
  }

  on<K extends EventKind>(kind: K, listener: EventListener<K>): () => void {
    const wrapped = (event: DomainEvent<K>, local: boolean) => {
      try {
        listener(event, local);
      } catch (err) {
        this.logger.error({ err, kind }, 'event listener failed');
      }
    };
    this.emitter.on(kind, wrapped);
    return () => this.emitter.off(kind, wrapped);
  }

  /** Called by emitEvent after the writing transaction committed. */
  committed(event: DomainEvent): void {
    this.emitter.emit(event.kind, event, true);
    const ctx = this.ctx;
    if (!this.eager || !ctx || !this.hasHandlers(event.kind)) return;
    // Serialised per org: a policy sees the effects of the previous batch's handlers.
    const next = (this.tails.get(event.orgId) ?? Promise.resolve())
      .then(() => runHandlers(ctx, event, this.handlersFor(event.kind)))
      .catch(() => {}); // logged by runHandlers; the queued job retries
    this.tails.set(event.orgId, next);
    void next.finally(() => {
      if (this.tails.get(event.orgId) === next) this.tails.delete(event.orgId);
    });
  }

  /** Resolves once every eager handler run started so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }

  /** Listens for other processes' events in every store, from the current end of the outbox. */
  async start(): Promise<void> {
    const ctx = this.ctx;
    if (!ctx || this.cursors.length > 0) return;
    for (const store of ctx.db.stores()) {
      const top = await store.system(({ db }) =>
        db
          .selectFrom('domain_events')
          .select(sql<number>`coalesce(max(id), 0)`.as('max'))
          .executeTakeFirstOrThrow(),
      );
      const cursor: StoreCursor = {
        store,
        floor: Number(top.max),
        seen: new Set(),
        pulling: undefined,
        again: false,
        unlisten: async () => {},
      };
      this.cursors.push(cursor);
      const pull = () => this.pull(cursor);
      cursor.unlisten = await store.listen(EVENTS_CHANNEL, { onNotify: pull, onConnect: pull });
    }
    this.timer = setInterval(() => {
      for (const c of this.cursors) this.pull(c);
    }, POLL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    const cursors = this.cursors.splice(0);
    for (const c of cursors) await c.unlisten();
    await Promise.allSettled(cursors.map((c) => c.pulling));
    await this.idle();
  }

  /** Reads what is new in one store (coalescing notifications that arrive meanwhile). */
  private pull(cursor: StoreCursor): void {
    if (cursor.pulling) {
      cursor.again = true;
      return;
    }
    cursor.pulling = (async () => {
      do {
        cursor.again = false;
        await this.readNew(cursor).catch((err) => this.logger.error({ err }, 'event feed read failed'));
      } while (cursor.again && this.cursors.includes(cursor));
    })().finally(() => {
      cursor.pulling = undefined;
    });
  }

  private async readNew(cursor: StoreCursor): Promise<void> {
    let after = cursor.floor;
    for (;;) {
      const rows = await cursor.store.system(({ db }) =>
        db
          .selectFrom('domain_events')
          .select([
            'id',
            'org_id',
            'kind',
            'payload',
            'origin',
            sql<boolean>`created_at < clock_timestamp() - make_interval(secs => ${SETTLE_MS / 1000})`.as(
              'settled',
            ),
          ])
          .where('id', '>', after)
          .orderBy('id')
          .limit(PAGE)
          .execute(),
      );
      for (const row of rows) {
        const id = Number(row.id);
        after = id;
        // A transaction that took a lower id may commit after a higher one: the floor moves only
        // past settled rows, and the rows above it are read again (and skipped once seen).
        if (row.settled) cursor.floor = Math.max(cursor.floor, id);
        if (cursor.seen.has(id)) continue;
        cursor.seen.add(id);
        if (row.origin === this.origin) continue;
        const event = {
          id,
          orgId: row.org_id,
          kind: row.kind as EventKind,
          payload: row.payload as never,
          origin: row.origin,
        };
        this.emitter.emit(event.kind, event, false);
      }
      if (rows.length < PAGE) break;
    }
    for (const id of cursor.seen) if (id <= cursor.floor) cursor.seen.delete(id);
  }
}
