import { periodKeyOf, type Spend } from '@toktra/core';
import type { AppContext } from '../context.js';
import type { UsageBatchNotice } from '../usage/bus.js';
import { fireThresholds } from './fire-thresholds.js';
import { loadOrgConfig, loadOrgSnapshot } from './load.js';
import { OrgState, type UsageItem } from './org-state.js';

export interface PreflightStoreOptions {
  /** How long an allowed preflight holds its reservation when no usage arrives. */
  reservationTtlMs: number;
  /** Reserved per allowed preflight that does not state `estimated_tokens`. */
  defaultReserveTokens: number;
  /** Configuration older than this is refreshed in the background (users who moved, new users). */
  configMaxAgeMs: number;
  /**
   * Counters older than this are rebuilt from the database in the background (the old state
   * keeps answering meanwhile), so reconciled usage that landed since replaces estimates.
   */
  countersMaxAgeMs: number;
}

const DEFAULTS: PreflightStoreOptions = {
  reservationTtlMs: 30_000,
  defaultReserveTokens: 1_000,
  configMaxAgeMs: 60_000,
  countersMaxAgeMs: 15 * 60_000,
};

function usageOf(
  notice: UsageBatchNotice,
  state: OrgState,
  skip?: ReadonlySet<string>,
): { items: UsageItem[]; later: boolean } {
  const items: UsageItem[] = [];
  let later = false;
  const key = state.config.period.key;
  for (const e of notice.events) {
    if (skip?.has(e.id)) continue;
    const eventKey = periodKeyOf(Date.parse(e.occurred_at), state.config.timeZone);
    if (eventKey > key) later = true;
    if (eventKey !== key) continue; // a past period is closed from the database, not from memory
    items.push({
      userId: e.user_id,
      departmentId: e.department_id,
      provider: e.provider,
      model: e.model,
      inputTokens: e.est_input_tokens,
      outputTokens: e.est_output_tokens,
    });
  }
  return { items, later };
}

/**
 * The in-memory budget state of every org that has asked for a preflight. Loaded per org on
 * first use from one database snapshot, then kept current by the usage bus (which publishes
 * after commit and before the ingest request answers), so a decision never touches the database.
 * Budget, price, exemption and block changes call `invalidate`/`applyBlock`; the next decision
 * waits for the reload. A new month drops the org's state and loads the new period.
 */
export class PreflightStore {
  readonly options: PreflightStoreOptions;
  private ctx: AppContext | undefined;
  private readonly states = new Map<string, { state: OrgState; loadedAt: number; countersAt: number }>();
  private readonly loading = new Map<string, Promise<OrgState>>();
  private readonly buffers = new Map<string, UsageBatchNotice[]>();
  private readonly reloads = new Map<string, Promise<void>>();

  constructor(options: Partial<PreflightStoreOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  private attach(ctx: AppContext): void {
    if (this.ctx) return;
    this.ctx = ctx;
    ctx.usageBus.on('batch', (notice) => this.onBatch(notice));
  }

  /** The org's state when it is loaded, current and not being reloaded (the hot path). */
  peek(orgId: string, now = Date.now()): OrgState | undefined {
    const entry = this.states.get(orgId);
    if (!entry || this.reloads.has(orgId) || now >= entry.state.config.period.end.getTime()) return undefined;
    if (now - entry.countersAt >= this.options.countersMaxAgeMs && !this.loading.has(orgId)) {
      entry.countersAt = now; // once per age, whatever the outcome
      void this.loadFull(orgId).catch((err) =>
        this.ctx?.logger.error({ err, orgId }, 'preflight: counter refresh failed'),
      );
    } else if (now - entry.loadedAt > this.options.configMaxAgeMs) {
      this.invalidate(orgId, { wait: false });
    }
    return entry.state;
  }

  async get(ctx: AppContext, orgId: string): Promise<OrgState> {
    this.attach(ctx);
    for (;;) {
      const reload = this.reloads.get(orgId);
      if (reload) {
        await reload;
        continue;
      }
      const entry = this.states.get(orgId);
      if (entry && Date.now() < entry.state.config.period.end.getTime()) return entry.state;
      if (entry) this.states.delete(orgId);
      return this.loadFull(orgId);
    }
  }

  /** Reloads the org's configuration (not its counters); decisions wait for it unless `wait` is false. */
  invalidate(orgId: string, opts: { wait?: boolean } = {}): void {
    const loading = this.loading.get(orgId);
    if (loading) {
      void loading.then(
        () => this.invalidate(orgId, opts),
        () => {},
      );
      return;
    }
    if (!this.states.has(orgId) || this.reloads.has(orgId)) return;
    const reload = this.reloadConfig(orgId).finally(() => this.reloads.delete(orgId));
    if (opts.wait !== false) this.reloads.set(orgId, reload);
  }

  /** Applies a block change at once (blocks are also reloaded with the configuration). */
  applyBlock(orgId: string, userId: string, block: { reason: string; until: Date | null } | null): void {
    const state = this.states.get(orgId)?.state;
    if (!state) return;
    if (block)
      state.config.blocks.set(userId, { reason: block.reason, until: block.until?.getTime() ?? null });
    else state.config.blocks.delete(userId);
  }

  private readonly pending = new Set<Promise<void>>();

  private track(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  /** Resolves once background work (threshold recording, reloads) has finished — for tests and shutdown. */
  async idle(): Promise<void> {
    while (this.pending.size > 0 || this.reloads.size > 0 || this.loading.size > 0) {
      await Promise.allSettled([...this.pending, ...this.reloads.values(), ...this.loading.values()]);
    }
  }

  /** Forgets every org (tests; a restart does the same). */
  clear(): void {
    this.states.clear();
  }

  private async reloadConfig(orgId: string): Promise<void> {
    const ctx = this.ctx as AppContext;
    try {
      const config = await ctx.db.withTenant(orgId, (tx) => loadOrgConfig(tx, orgId, new Date()));
      const entry = this.states.get(orgId);
      if (!entry) return;
      if (config.period.key !== entry.state.config.period.key) {
        this.states.delete(orgId);
        return;
      }
      entry.state.setConfig(config);
      entry.loadedAt = Date.now();
      this.track(fireThresholds(ctx, entry.state, entry.state.allScopes()));
    } catch (err) {
      ctx.logger.error({ err, orgId }, 'preflight: configuration reload failed');
      this.states.delete(orgId);
    }
  }

  private loadFull(orgId: string): Promise<OrgState> {
    const existing = this.loading.get(orgId);
    if (existing) return existing;
    const promise = this.loadWithRetry(orgId).finally(() => this.loading.delete(orgId));
    this.loading.set(orgId, promise);
    return promise;
  }

  private async loadWithRetry(orgId: string): Promise<OrgState> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.loadOnce(orgId);
      } catch (error) {
        // A concurrent writer of the same period row fails a REPEATABLE READ insert; try again.
        if (attempt >= 3 || (error as { code?: string }).code !== '40001') throw error;
      }
    }
  }

  private async loadOnce(orgId: string): Promise<OrgState> {
    const ctx = this.ctx as AppContext;
    const buffer: UsageBatchNotice[] = [];
    this.buffers.set(orgId, buffer);
    try {
      const { snapshot, seen } = await ctx.db.withTenant(
        orgId,
        async (tx) => {
          const snap = await loadOrgSnapshot(tx, orgId, new Date());
          // Batches published while loading may or may not be in the snapshot: ask it.
          const ids = buffer.flatMap((n) => n.events.map((e) => e.id));
          const held =
            ids.length === 0
              ? []
              : await tx.db
                  .selectFrom('events')
                  .select('id')
                  .where('org_id', '=', orgId)
                  .where('id', 'in', ids)
                  .execute();
          return { snapshot: snap, seen: new Set(held.map((r) => r.id)) };
        },
        { snapshot: true },
      );
      const state = new OrgState(
        orgId,
        snapshot.config,
        snapshot.own as Map<string | null, Spend>,
        this.options.reservationTtlMs,
      );
      for (const notice of buffer) state.applyUsage(usageOf(notice, state, seen).items);
      // A refresh replaces a serving state: its outstanding reservations still hold.
      const previous = this.states.get(orgId)?.state;
      if (previous) state.adoptReservations(previous);
      const now = Date.now();
      this.states.set(orgId, { state, loadedAt: now, countersAt: now });
      this.track(fireThresholds(ctx, state, state.allScopes()));
      return state;
    } finally {
      this.buffers.delete(orgId);
    }
  }

  private onBatch(notice: UsageBatchNotice): void {
    // While an org loads, batches are kept for the new state; a state still serving (a refresh
    // in progress) takes them too.
    this.buffers.get(notice.orgId)?.push(notice);
    const entry = this.states.get(notice.orgId);
    if (!entry) return;
    const { items, later } = usageOf(notice, entry.state);
    const touched = entry.state.applyUsage(items);
    if (later) {
      // The month turned: the next decision loads the new period (this batch is committed).
      this.states.delete(notice.orgId);
      return;
    }
    if (this.ctx) this.track(fireThresholds(this.ctx, entry.state, touched));
  }
}
