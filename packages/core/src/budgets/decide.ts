/**
 * The preflight decision, pure: given the user's block (if any) and every budget that applies to
 * them (their department's, each ancestor's, the org's), allow or deny with a reason and the
 * remaining allowance in tokens. Hard caps block; soft caps only alert (they never deny here).
 */
export type Cap = 'soft' | 'hard';

export interface BudgetCheck {
  budgetId: string;
  /** Human name of the scope: a department name, or "the organisation". */
  scopeName: string;
  cap: Cap;
  /** Effective limit of the period (base + rollover), in the budget's unit. */
  limit: number;
  spent: number;
  /** Allowances handed out by preflight whose usage has not arrived yet. */
  reserved: number;
  /** An approved exemption for this user, budget and period. */
  exemption?: { kind: 'raise'; amount: number } | { kind: 'lift' };
  /** Tokens per unit of the budget (1 for token budgets; from the price table for money). */
  tokensPerUnit: number | null;
}

/** `soft_cap`: allowed, but a soft cap is reached or passed (it alerts, never denies). */
export type DecisionCode = 'ok' | 'soft_cap' | 'no_budget' | 'hard_cap' | 'blocked';

export interface Decision {
  allow: boolean;
  code: DecisionCode;
  reason: string;
  /** The smallest remaining allowance across applicable budgets, in tokens; null when unbounded. */
  remainingTokens: number | null;
  /** The budget that decided a denial, or the tightest one when allowed. */
  budgetId: string | null;
}

/** What is left of one budget for this user, in the budget's unit (may be negative). */
export function remainingOf(check: BudgetCheck): number {
  if (check.exemption?.kind === 'lift') return Number.POSITIVE_INFINITY;
  const raise = check.exemption?.kind === 'raise' ? check.exemption.amount : 0;
  return check.limit + raise - check.spent - check.reserved;
}

function toTokens(check: BudgetCheck, amount: number): number | null {
  if (!Number.isFinite(amount)) return null;
  if (check.tokensPerUnit === null) return null;
  return Math.max(0, Math.floor(amount * check.tokensPerUnit));
}

export function decidePreflight(input: {
  block?: { reason: string } | null;
  checks: readonly BudgetCheck[];
}): Decision {
  let tightest: { check: BudgetCheck; tokens: number } | null = null;
  for (const check of input.checks) {
    const tokens = toTokens(check, remainingOf(check));
    if (tokens !== null && (!tightest || tokens < tightest.tokens)) tightest = { check, tokens };
  }
  const remainingTokens = tightest ? tightest.tokens : null;
  if (input.block) {
    return {
      allow: false,
      code: 'blocked',
      reason: `LLM access blocked: ${input.block.reason}`,
      remainingTokens: 0,
      budgetId: null,
    };
  }
  const denied = input.checks.find((c) => c.cap === 'hard' && remainingOf(c) <= 0);
  if (denied) {
    return {
      allow: false,
      code: 'hard_cap',
      reason: `hard cap reached on the budget of ${denied.scopeName}`,
      remainingTokens: 0,
      budgetId: denied.budgetId,
    };
  }
  if (input.checks.length === 0) {
    return {
      allow: true,
      code: 'no_budget',
      reason: 'no budget applies',
      remainingTokens: null,
      budgetId: null,
    };
  }
  const over = input.checks.find((c) => c.cap === 'soft' && remainingOf(c) <= 0);
  if (over) {
    return {
      allow: true,
      code: 'soft_cap',
      reason: `over the soft cap on the budget of ${over.scopeName} (requests continue)`,
      remainingTokens,
      budgetId: over.budgetId,
    };
  }
  return {
    allow: true,
    code: 'ok',
    reason: 'within budget',
    remainingTokens,
    budgetId: tightest?.check.budgetId ?? null,
  };
}
