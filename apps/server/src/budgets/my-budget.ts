import type { ExemptionStatus } from '@toktra/db';
import type { AppContext } from '../context.js';
import { preflight } from '../preflight/service.js';
import { type ExemptionRow, listExemptions } from './exemptions.js';

export interface MyBudgetLine {
  id: string;
  /** `null` for the org-wide budget. */
  department_id: string | null;
  scope_name: string;
  cap: 'soft' | 'hard';
  unit: 'tokens' | 'cost';
  /** Effective limit this period (base + rollover in), in `unit`. */
  limit: number;
  used: number;
  used_tokens: number;
  /** This person's approved exemption on the budget for the period, if any. */
  exemption: { kind: 'lift' } | { kind: 'raise'; tokens: number } | null;
}

export interface MyBudget {
  period: string;
  status: {
    allow: boolean;
    blocked: boolean;
    code: 'ok' | 'soft_cap' | 'no_budget' | 'hard_cap' | 'blocked';
    reason: string;
    remaining_tokens: number | null;
    budget_id: string | null;
  };
  budgets: MyBudgetLine[];
  exemptions: ExemptionRow[];
}

/**
 * The signed-in person's own budget picture: the preflight answer (the same one the extension and
 * gateways get, reserving nothing), every budget on their department chain plus the org-wide one
 * with this period's spend (from the preflight state, so it matches what the decision used), and
 * their own exemption requests. Never anyone else's: the caller passes their own user id.
 */
export async function getMyBudget(
  ctx: AppContext,
  orgId: string,
  userId: string,
  filter: { status?: ExemptionStatus | undefined } = {},
): Promise<MyBudget> {
  const answer = await preflight(ctx, orgId, { user_id: userId, estimated_tokens: 0 });
  const state = ctx.preflight.peek(orgId) ?? (await ctx.preflight.get(ctx, orgId));
  const budgets: MyBudgetLine[] = [];
  for (const scope of state.scopesOf(state.config.userDept.get(userId) ?? null)) {
    const b = state.budgetOf(scope);
    if (!b) continue;
    const spent = state.spentOf(scope);
    budgets.push({
      id: b.id,
      department_id: b.departmentId,
      scope_name: b.scopeName,
      cap: b.cap,
      unit: b.unit,
      limit: b.base + b.rolloverIn,
      used: b.unit === 'tokens' ? spent.tokens : spent.cost,
      used_tokens: spent.tokens,
      exemption: state.config.exemptions.get(`${userId}|${b.id}`) ?? null,
    });
  }
  const exemptions = await listExemptions(ctx, { orgId, reach: 'self', userId }, { status: filter.status });
  return {
    period: answer.period,
    status: {
      allow: answer.allow,
      blocked: !answer.allow,
      code: answer.code,
      reason: answer.reason,
      remaining_tokens: answer.remaining_tokens,
      budget_id: answer.budget_id,
    },
    budgets,
    exemptions,
  };
}
