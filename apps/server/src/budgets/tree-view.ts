import { childrenOf } from '@toktra/core';
import type { AppContext } from '../context.js';
import { ORG_SCOPE, type OrgState } from '../preflight/org-state.js';

export interface BudgetGauge {
  id: string;
  cap: 'soft' | 'hard';
  unit: 'tokens' | 'cost';
  limit: number;
  rollover_in: number;
  effective_limit: number;
  spent: number;
  used_pct: number;
  remaining: number;
  thresholds: number[];
  thresholds_fired: number[];
}

export interface TreeNode {
  id: string;
  name: string;
  parent_id: string | null;
  /** Usage recorded on this department itself, this period. */
  own_tokens: number;
  own_cost: number;
  /** Including every descendant. */
  total_tokens: number;
  total_cost: number;
  budget: BudgetGauge | null;
  children: TreeNode[];
}

export interface DepartmentTree {
  period: string;
  period_start: string;
  period_end: string;
  time_zone: string;
  org: { total_tokens: number; total_cost: number; unattributed_tokens: number; budget: BudgetGauge | null };
  departments: TreeNode[];
}

function gauge(state: OrgState, scope: string): BudgetGauge | null {
  const b = state.budgetOf(scope);
  if (!b) return null;
  const s = state.spentOf(scope);
  const spent = b.unit === 'tokens' ? s.tokens : s.cost;
  const effective = b.base + b.rolloverIn;
  return {
    id: b.id,
    cap: b.cap,
    unit: b.unit,
    limit: b.base,
    rollover_in: b.rolloverIn,
    effective_limit: effective,
    spent,
    used_pct: effective > 0 ? Math.round((spent / effective) * 10_000) / 100 : 0,
    remaining: effective - spent,
    thresholds: b.thresholds,
    thresholds_fired: [...b.fired].sort((x, y) => x - y),
  };
}

/** The department tree with this period's live usage per node (rolled up) and budget gauges. */
export async function getDepartmentTree(ctx: AppContext, orgId: string): Promise<DepartmentTree> {
  const state = ctx.preflight.peek(orgId) ?? (await ctx.preflight.get(ctx, orgId));
  const { config } = state;
  const kids = childrenOf(config.parentOf);
  const build = (id: string): TreeNode => {
    const own = state.own.get(id) ?? { tokens: 0, cost: 0 };
    const total = state.spentOf(id);
    return {
      id,
      name: config.deptName.get(id) ?? id,
      parent_id: config.parentOf.get(id) ?? null,
      own_tokens: own.tokens,
      own_cost: own.cost,
      total_tokens: total.tokens,
      total_cost: total.cost,
      budget: gauge(state, id),
      children: (kids.get(id) ?? []).map(build),
    };
  };
  const orgTotal = state.spentOf(ORG_SCOPE);
  return {
    period: config.period.key,
    period_start: config.period.start.toISOString(),
    period_end: config.period.end.toISOString(),
    time_zone: config.timeZone,
    org: {
      total_tokens: orgTotal.tokens,
      total_cost: orgTotal.cost,
      unattributed_tokens: state.own.get('')?.tokens ?? 0,
      budget: gauge(state, ORG_SCOPE),
    },
    departments: (kids.get(null) ?? []).map(build),
  };
}

/** The live gauge of one budget (its scope's spend this period), or null when not loaded. */
export async function getBudgetGauge(
  ctx: AppContext,
  orgId: string,
  departmentId: string | null,
): Promise<BudgetGauge | null> {
  const state = ctx.preflight.peek(orgId) ?? (await ctx.preflight.get(ctx, orgId));
  return gauge(state, departmentId ?? ORG_SCOPE);
}
