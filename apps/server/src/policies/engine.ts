import type { Tx } from '@toktra/db';
import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import type { Claim } from '../events/handlers.js';
import type { BudgetThresholdNotice, RiskEventNotice, ShadowAiGapNotice } from '../governance/bus.js';
import type { UsageBatchNotice } from '../usage/bus.js';
import { createBudgetAlert } from './budget-alert.js';
import { fireCandidate } from './fire.js';
import { loadPolicyOrgFacts } from './org-facts.js';
import { loadRunnablePolicies } from './service.js';
import { budgetCandidates, riskCandidates, shadowCandidates } from './signals.js';
import { type Candidate, hourKey, type StreamEvent, UsageStream } from './usage-stream.js';

export interface PolicyEngine {
  stop(): void;
  /** Resolves once every event committed so far in this process has been evaluated (tests, shutdown). */
  idle(): Promise<void>;
}

const USAGE_TRIGGERS = ['unusual_usage', 'department_threshold'] as const;
/** Prior usage the usage-driven triggers need: 28 baseline days plus a month to date, with margin. */
export const USAGE_LOOKBACK_MS = 33 * 86_400_000;

/**
 * Policies are evaluated by the outbox handlers in policies/handlers.ts: at least once by the job
 * queued with each event, and right after commit in the process that wrote it (this switch).
 * Work is serialised per org by the feed, so the running totals of one batch are seen by the next.
 */
export function startPolicyEngine(ctx: AppContext): PolicyEngine {
  ctx.events.runHandlersEagerly();
  return { stop() {}, idle: () => ctx.events.idle() };
}

async function fireAll(ctx: AppContext, orgId: string, candidates: Candidate[]): Promise<void> {
  for (const c of candidates) await fireCandidate(ctx, orgId, c);
}

/** Loads the org's prior usage (everything stored except `excludeIds`) into a stream's state. */
export async function preloadUsage(
  tx: Tx,
  orgId: string,
  stream: UsageStream,
  timeZone: string,
  since: Date,
  excludeIds: string[],
): Promise<void> {
  const tokens = sql<number>`sum(est_input_tokens + est_output_tokens)`;
  const local = sql<string>`to_char(occurred_at AT TIME ZONE ${timeZone}, 'YYYY-MM-DD')`;
  const hour = sql<Date>`date_trunc('hour', occurred_at)`;
  let query = tx.db
    .selectFrom('events')
    .select([local.as('day'), hour.as('hour'), 'user_id', 'department_id', tokens.as('tokens')])
    .where('org_id', '=', orgId)
    .where('occurred_at', '>=', since)
    .groupBy([sql`1`, sql`2`, sql`3`, sql`4`]);
  if (excludeIds.length) query = query.where('id', 'not in', excludeIds);
  for (const row of await query.execute()) {
    const n = Number(row.tokens);
    if (row.user_id) {
      stream.addUserDay(row.user_id, row.day, n);
      stream.addUserHour(row.user_id, hourKey(new Date(row.hour)), n);
    }
    if (row.department_id) stream.addDepartmentDay(row.department_id, row.day, n);
  }
}

export function byTimeThenId(a: StreamEvent, b: StreamEvent): number {
  return a.occurred_at.getTime() - b.occurred_at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export async function evaluateBatch(ctx: AppContext, notice: UsageBatchNotice): Promise<void> {
  const { orgId } = notice;
  const candidates = await ctx.db.withTenant(orgId, async (tx) => {
    const policies = await loadRunnablePolicies(tx, orgId, USAGE_TRIGGERS);
    if (policies.length === 0) return [];
    const facts = await loadPolicyOrgFacts(tx, orgId);
    const events: StreamEvent[] = notice.events
      .map((e) => ({
        id: e.id,
        occurred_at: new Date(e.occurred_at),
        user_id: e.user_id,
        department_id: e.department_id,
        model: e.model,
        provider: e.provider,
        tokens: e.est_input_tokens + e.est_output_tokens,
      }))
      .sort(byTimeThenId);
    const first = events[0];
    if (!first) return [];
    const stream = new UsageStream(facts.timeZone, facts.parents);
    await preloadUsage(
      tx,
      orgId,
      stream,
      facts.timeZone,
      new Date(first.occurred_at.getTime() - USAGE_LOOKBACK_MS),
      events.map((e) => e.id),
    );
    return events.flatMap((e) => stream.evaluate(e, policies));
  });
  await fireAll(ctx, orgId, candidates);
}

export async function evaluateRisk(ctx: AppContext, notice: RiskEventNotice): Promise<void> {
  const { orgId, riskEvent: r } = notice;
  const candidates = await ctx.db.withTenant(orgId, async (tx) => {
    const policies = await loadRunnablePolicies(tx, orgId, ['ip_risk']);
    if (policies.length === 0) return [];
    const facts = await loadPolicyOrgFacts(tx, orgId);
    return riskCandidates(
      { ...r, occurred_at: new Date(r.occurred_at) },
      policies,
      facts.timeZone,
      facts.parents,
    );
  });
  await fireAll(ctx, orgId, candidates);
}

/** Stores the notice as a signal (history for policy tests), then evaluates it. */
async function storeSignal(
  tx: Tx,
  orgId: string,
  kind: string,
  at: string,
  payload: object,
): Promise<string> {
  const row = await tx.db
    .insertInto('governance_signals')
    .values({ org_id: orgId, kind, occurred_at: new Date(at), payload: JSON.stringify(payload) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * The signal and the alert are written with the handler's claim (exactly once); a crash between
 * that commit and the firings loses the firings of this one notice (known gap, docs/budgets.md).
 */
export async function evaluateBudget(ctx: AppContext, n: BudgetThresholdNotice, claim: Claim): Promise<void> {
  const candidates = await ctx.db.withTenant(n.orgId, async (tx) => {
    if (!(await claim(tx))) return [];
    const id = await storeSignal(tx, n.orgId, 'budget.threshold', n.at, n);
    await createBudgetAlert(ctx, tx, n);
    const policies = await loadRunnablePolicies(tx, n.orgId, ['budget_exceeded']);
    if (policies.length === 0) return [];
    const facts = await loadPolicyOrgFacts(tx, n.orgId);
    return budgetCandidates(signalFromBudget(id, n), policies, facts.timeZone, facts.parents);
  });
  await fireAll(ctx, n.orgId, candidates);
}

export function signalFromBudget(id: string, n: Omit<BudgetThresholdNotice, 'orgId'>) {
  return {
    id,
    occurred_at: new Date(n.at),
    budgetId: n.budgetId,
    departmentId: n.departmentId,
    userId: n.userId ?? null,
    thresholdPct: n.thresholdPct,
    usedTokens: n.usedTokens,
    period: n.period,
  };
}

export async function evaluateShadow(ctx: AppContext, n: ShadowAiGapNotice, claim: Claim): Promise<void> {
  const candidates = await ctx.db.withTenant(n.orgId, async (tx) => {
    if (!(await claim(tx))) return [];
    const id = await storeSignal(tx, n.orgId, 'shadow_ai.gap', n.at, n);
    const policies = await loadRunnablePolicies(tx, n.orgId, ['shadow_ai_gap']);
    if (policies.length === 0) return [];
    const facts = await loadPolicyOrgFacts(tx, n.orgId);
    return shadowCandidates(
      { id, occurred_at: new Date(n.at), provider: n.provider, day: n.day, gapTokens: n.gapTokens },
      policies,
      facts.timeZone,
    );
  });
  await fireAll(ctx, n.orgId, candidates);
}
