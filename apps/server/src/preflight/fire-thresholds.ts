import { markThresholdsFired } from '../budgets/periods.js';
import type { AppContext } from '../context.js';
import { emitEvent } from '../events/outbox.js';
import type { OrgState } from './org-state.js';

/**
 * Announces thresholds newly reached in `scopes`: marks them in memory at once (so the next batch
 * does not repeat them), then records them in `budget_periods` with a `budget.threshold_crossed`
 * event for those this process recorded — "once per period" holds across restarts and processes.
 */
export function fireThresholds(ctx: AppContext, state: OrgState, scopes: Iterable<string>): Promise<void> {
  const due = state.takeThresholds(scopes);
  if (due.length === 0) return Promise.resolve();
  const period = state.config.period.key;
  return ctx.db
    .withTenant(state.orgId, async (tx) => {
      for (const d of due) {
        const recorded = await markThresholdsFired(tx, state.orgId, d.budget.id, period, [d.percent]);
        if (recorded.length === 0) continue;
        // In the same transaction as the mark: a crash cannot lose the crossing's alert.
        await emitEvent(ctx, tx, state.orgId, 'budget.threshold_crossed', {
          budgetId: d.budget.id,
          departmentId: d.budget.departmentId,
          thresholdPct: d.percent,
          usedTokens: Math.round(d.usedTokens),
          limitTokens: d.budget.unit === 'tokens' ? d.limit : null,
          unit: d.budget.unit,
          limit: d.limit,
          spent: d.spent,
          scopeName: d.budget.scopeName,
          cap: d.budget.cap,
          period,
          at: new Date().toISOString(),
        });
      }
    })
    .catch((err) => ctx.logger.error({ err, orgId: state.orgId }, 'recording budget thresholds failed'));
}
