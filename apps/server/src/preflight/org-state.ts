import {
  ancestorChain,
  type BudgetCheck,
  type Decision,
  decidePreflight,
  type PeriodBounds,
  remainingOf,
  rollUp,
  type Spend,
  thresholdsToFire,
} from '@toktra/core';
import { costOf, type PriceLookup, tokensPerCurrency } from '../budgets/default-prices.js';

/** The scope key of the org-wide budget (department ids are UUIDs, so it cannot collide). */
export const ORG_SCOPE = 'org';

export interface BudgetState {
  id: string;
  departmentId: string | null;
  scopeName: string;
  unit: 'tokens' | 'cost';
  cap: 'soft' | 'hard';
  thresholds: number[];
  base: number;
  rolloverIn: number;
  fired: Set<number>;
}

export interface OrgConfig {
  timeZone: string;
  period: PeriodBounds;
  parentOf: Map<string, string | null>;
  deptName: Map<string, string>;
  userDept: Map<string, string | null>;
  emailToUser: Map<string, string>;
  budgets: BudgetState[];
  blocks: Map<string, { reason: string; until: number | null }>;
  /** `${userId}|${budgetId}` → approved exemption for the current period. */
  exemptions: Map<string, { kind: 'raise'; tokens: number } | { kind: 'lift' }>;
  priceOf: PriceLookup;
}

export interface ThresholdDue {
  budget: BudgetState;
  percent: number;
  /** Effective limit and spend in the budget's unit. */
  limit: number;
  spent: number;
  usedTokens: number;
}

interface Reservation {
  userId: string;
  scopes: string[];
  spend: Spend;
  expiresAt: number;
  released: boolean;
}

export interface UsageItem {
  userId: string | null;
  departmentId: string | null;
  provider: string;
  model: string | null;
  inputTokens: number;
  outputTokens: number;
}

function zero(): Spend {
  return { tokens: 0, cost: 0 };
}

function addTo(map: Map<string, Spend>, key: string, s: Spend, sign = 1): void {
  const t = map.get(key) ?? zero();
  t.tokens += sign * s.tokens;
  t.cost += sign * s.cost;
  map.set(key, t);
}

/**
 * One org's budget state for the current period, all in memory: configuration, spend per
 * department (own and rolled up to every ancestor), the org total, and outstanding preflight
 * reservations. Every method is synchronous, so a decision and the counter updates it depends
 * on are atomic with respect to each other on the event loop.
 */
export class OrgState {
  /** Spend recorded on each department itself (key '' = no department). */
  readonly own = new Map<string, Spend>();
  /** Spend per department including descendants, plus ORG_SCOPE. */
  private rolled = new Map<string, Spend>();
  private reserved = new Map<string, Spend>();
  private reservations: Reservation[] = [];
  private byUser = new Map<string, Reservation[]>();
  private byScope = new Map<string, BudgetState>();

  constructor(
    readonly orgId: string,
    public config: OrgConfig,
    own: Map<string | null, Spend>,
    private readonly reservationTtlMs: number,
  ) {
    for (const [dept, s] of own) this.own.set(dept ?? '', { ...s });
    this.setConfig(config);
  }

  /** Swaps in new configuration (budgets, tree, people, blocks); counters are kept and re-rolled. */
  setConfig(config: OrgConfig): void {
    this.config = config;
    this.byScope = new Map(config.budgets.map((b) => [b.departmentId ?? ORG_SCOPE, b]));
    const tokens = rollUp(config.parentOf, new Map([...this.own].map(([k, s]) => [k, s.tokens])));
    const cost = rollUp(config.parentOf, new Map([...this.own].map(([k, s]) => [k, s.cost])));
    this.rolled = new Map([...tokens].map(([k, t]) => [k, { tokens: t, cost: cost.get(k) ?? 0 }]));
    const total = zero();
    for (const s of this.own.values()) {
      total.tokens += s.tokens;
      total.cost += s.cost;
    }
    this.rolled.set(ORG_SCOPE, total);
  }

  scopesOf(departmentId: string | null): string[] {
    const chain =
      departmentId && this.config.parentOf.has(departmentId)
        ? ancestorChain(departmentId, this.config.parentOf)
        : [];
    return [...chain, ORG_SCOPE];
  }

  spentOf(scope: string): Spend {
    return this.rolled.get(scope) ?? zero();
  }

  budgetOf(scope: string): BudgetState | undefined {
    return this.byScope.get(scope);
  }

  /** Adds committed usage; releases one reservation of the user per event. Returns touched scopes. */
  applyUsage(items: readonly UsageItem[]): Set<string> {
    const touched = new Set<string>();
    for (const item of items) {
      const spend = {
        tokens: item.inputTokens + item.outputTokens,
        cost: costOf(this.config.priceOf(item.provider, item.model), item.inputTokens, item.outputTokens),
      };
      const dept =
        item.departmentId && this.config.parentOf.has(item.departmentId) ? item.departmentId : null;
      addTo(this.own, dept ?? '', spend);
      for (const scope of this.scopesOf(dept)) {
        addTo(this.rolled, scope, spend);
        touched.add(scope);
      }
      if (item.userId) this.releaseOne(item.userId);
    }
    return touched;
  }

  private releaseOne(userId: string): void {
    const queue = this.byUser.get(userId);
    const r = queue?.shift();
    if (!r) return;
    if (queue?.length === 0) this.byUser.delete(userId);
    this.release(r);
  }

  private release(r: Reservation): void {
    if (r.released) return;
    r.released = true;
    for (const scope of r.scopes) addTo(this.reserved, scope, r.spend, -1);
  }

  private sweep(now: number): void {
    let i = 0;
    while (i < this.reservations.length && (this.reservations[i] as Reservation).expiresAt <= now) {
      const r = this.reservations[i] as Reservation;
      this.release(r);
      const queue = this.byUser.get(r.userId);
      if (queue) {
        const at = queue.indexOf(r);
        if (at >= 0) queue.splice(at, 1);
        if (queue.length === 0) this.byUser.delete(r.userId);
      }
      i++;
    }
    if (i > 0) this.reservations.splice(0, i);
    while (this.reservations.length > 0 && (this.reservations[0] as Reservation).released)
      this.reservations.shift();
  }

  /** The budget checks that apply to a user, tightest unit conversion per the requested model. */
  checksFor(userId: string, provider: string | null, model: string | null): BudgetCheck[] {
    const dept = this.config.userDept.get(userId) ?? null;
    const price = this.config.priceOf(provider ?? '*', model);
    const perCurrency = tokensPerCurrency(price);
    const checks: BudgetCheck[] = [];
    for (const scope of this.scopesOf(dept)) {
      const b = this.byScope.get(scope);
      if (!b) continue;
      const tokensPerUnit = b.unit === 'tokens' ? 1 : perCurrency;
      const spent = this.spentOf(scope);
      const reserved = this.reserved.get(scope) ?? zero();
      const ex = this.config.exemptions.get(`${userId}|${b.id}`);
      const check: BudgetCheck = {
        budgetId: b.id,
        scopeName: b.scopeName,
        cap: b.cap,
        limit: b.base + b.rolloverIn,
        spent: b.unit === 'tokens' ? spent.tokens : spent.cost,
        reserved: b.unit === 'tokens' ? reserved.tokens : reserved.cost,
        tokensPerUnit,
      };
      if (ex?.kind === 'lift') check.exemption = { kind: 'lift' };
      else if (ex?.kind === 'raise') {
        check.exemption = {
          kind: 'raise',
          amount: b.unit === 'tokens' ? ex.tokens : perCurrency ? ex.tokens / perCurrency : 0,
        };
      }
      checks.push(check);
    }
    return checks;
  }

  /**
   * Decides, and when allowed under a hard cap reserves `reserveTokens` against every scope of
   * the user until their usage arrives (or the reservation expires), so parallel preflights
   * cannot all spend the same remainder.
   */
  decide(
    userId: string,
    provider: string | null,
    model: string | null,
    reserveTokens: number,
    now = Date.now(),
  ): Decision {
    this.sweep(now);
    const block = this.config.blocks.get(userId);
    const active = block && (block.until === null || block.until > now) ? block : null;
    const checks = this.checksFor(userId, provider, model);
    const decision = decidePreflight({ block: active, checks });
    const guarded = checks.some((c) => c.cap === 'hard' && Number.isFinite(remainingOf(c)));
    if (decision.allow && reserveTokens > 0 && guarded) {
      const perCurrency = tokensPerCurrency(this.config.priceOf(provider ?? '*', model));
      const spend = { tokens: reserveTokens, cost: perCurrency ? reserveTokens / perCurrency : 0 };
      const r: Reservation = {
        userId,
        scopes: this.scopesOf(this.config.userDept.get(userId) ?? null),
        spend,
        expiresAt: now + this.reservationTtlMs,
        released: false,
      };
      for (const scope of r.scopes) addTo(this.reserved, scope, spend);
      this.reservations.push(r);
      const queue = this.byUser.get(userId);
      if (queue) queue.push(r);
      else this.byUser.set(userId, [r]);
    }
    return decision;
  }

  /** Takes over another state's live reservations (when a refreshed state replaces it). */
  adoptReservations(from: OrgState, now = Date.now()): void {
    for (const r of from.reservations) {
      if (r.released || r.expiresAt <= now) continue;
      const copy: Reservation = { ...r, released: false };
      for (const scope of copy.scopes) addTo(this.reserved, scope, copy.spend);
      this.reservations.push(copy);
      const queue = this.byUser.get(copy.userId);
      if (queue) queue.push(copy);
      else this.byUser.set(copy.userId, [copy]);
    }
  }

  /** Thresholds reached but not yet fired, per budget; marks them fired in memory. */
  takeThresholds(scopes: Iterable<string>): ThresholdDue[] {
    const due: ThresholdDue[] = [];
    for (const scope of scopes) {
      const b = this.byScope.get(scope);
      if (!b) continue;
      const s = this.spentOf(scope);
      const spent = b.unit === 'tokens' ? s.tokens : s.cost;
      const limit = b.base + b.rolloverIn;
      for (const percent of thresholdsToFire({
        limit,
        spent,
        thresholds: b.thresholds,
        fired: [...b.fired],
        unit: b.unit,
      })) {
        b.fired.add(percent);
        due.push({ budget: b, percent, limit, spent, usedTokens: s.tokens });
      }
    }
    return due;
  }

  allScopes(): string[] {
    return [...this.byScope.keys()];
  }
}
