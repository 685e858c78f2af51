import type { Tx } from '@toktra/db';
import { formatUsedOf } from '../alerts/format.js';
import { createAlert } from '../alerts/service.js';
import type { AppContext } from '../context.js';
import type { BudgetThresholdNotice } from '../governance/bus.js';

/** The budget's scope as people name it: "Budget 'Backend'" or "The organisation budget". */
async function scopeLabel(tx: Tx, n: BudgetThresholdNotice): Promise<string> {
  if (!n.departmentId) return 'The organisation budget';
  const name =
    n.scopeName ??
    (
      await tx.db
        .selectFrom('departments')
        .select('name')
        .where('org_id', '=', n.orgId)
        .where('id', '=', n.departmentId)
        .executeTakeFirst()
    )?.name;
  return name ? `Budget '${name}'` : 'A department budget';
}

/**
 * Every budget threshold is an alert (a soft cap's "alert, continue"; a hard cap's block notice),
 * naming the budget and the amounts: "Budget 'Backend' reached 100 % — 21.9M of 20M tokens".
 * Budgets record each threshold once per period before publishing, so this runs once per crossing.
 */
export async function createBudgetAlert(ctx: AppContext, tx: Tx, n: BudgetThresholdNotice): Promise<void> {
  const reached = n.thresholdPct >= 100;
  const severity = reached
    ? n.cap === 'hard'
      ? 'critical'
      : 'high'
    : n.thresholdPct >= 90
      ? 'medium'
      : 'low';
  const unit = n.unit ?? 'tokens';
  const used = unit === 'cost' ? (n.spent ?? 0) : n.usedTokens;
  const limit = n.limit ?? n.limitTokens;
  const amounts = formatUsedOf(used, limit, unit);
  const exact =
    unit === 'tokens'
      ? `${n.usedTokens.toLocaleString('en-US')}${limit !== null ? ` of ${limit.toLocaleString('en-US')}` : ''} tokens used in ${n.period}.`
      : `${amounts} spent in ${n.period} (${n.usedTokens.toLocaleString('en-US')} tokens).`;
  await createAlert(ctx, tx, n.orgId, {
    severity,
    title: `${await scopeLabel(tx, n)} reached ${n.thresholdPct} % — ${amounts}`,
    body: `${exact} ${
      reached
        ? n.cap === 'hard'
          ? 'The hard cap is reached: LLM requests from this scope are blocked until the period resets or an exemption is granted.'
          : 'The soft cap is reached: requests continue.'
        : `A ${n.cap} cap: nothing is blocked yet.`
    }`,
    source: 'budget',
    sourceId: n.budgetId,
    departmentId: n.departmentId,
    details: {
      threshold_pct: n.thresholdPct,
      used_tokens: n.usedTokens,
      limit_tokens: n.limitTokens,
      unit,
      used: unit === 'cost' ? n.spent : n.usedTokens,
      limit,
      cap: n.cap,
      period: n.period,
    },
  });
}
