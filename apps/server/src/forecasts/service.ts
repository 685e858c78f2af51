import { AppError, type Forecast, forecastDaily, MIN_HISTORY_DAYS } from '@toktra/core';
import { sql } from 'kysely';
import { inReach, type Scope } from '../auth/scope.js';
import type { AppContext } from '../context.js';
import { assertDepartment, departmentSubtree } from '../departments/service.js';
import { loadReconciledUsage } from '../reconciliation/usage-join.js';
import { orgTimeZoneOf } from '../scorecards/org-day.js';
import { rollupFor } from '../usage/query.js';
import { addDays, dayInZone } from '../usage/time-zone.js';

export const HISTORY_DAYS = 90;

export interface HistoryDay {
  date: string;
  tokens: number;
  /** Where the day's figure came from: every provider reconciled, none, or some. */
  source: 'reconciled' | 'estimated' | 'mixed';
}

export interface ForecastAnswer {
  scope: 'org' | 'department';
  department_id: string | null;
  horizon: number;
  history_start: string;
  history_end: string;
  history: HistoryDay[];
  forecast: Forecast | null;
  /** Why there is no forecast (too little history). */
  reason: string | null;
}

/**
 * Daily token totals of the last 90 complete days (yesterday backwards, org time zone). Per
 * provider and day the reconciled count is used where reconciliation knows it, the estimate
 * elsewhere — the same figures `GET /v1/usage?group_by=day&provider=…` answers, read in one
 * pass over the daily read model (usage/query.ts picks the same table) instead of one usage
 * query per provider. Department scope is estimates only: providers cannot attribute usage to
 * our departments.
 */
export async function loadHistory(
  ctx: AppContext,
  orgId: string,
  departmentId: string | undefined,
): Promise<{ start: string; end: string; days: HistoryDay[] }> {
  const timeZone = await orgTimeZoneOf(ctx, orgId);
  const end = addDays(dayInZone(Date.now(), timeZone), -1);
  const start = addDays(end, -(HISTORY_DAYS - 1));
  const byDay = new Map<string, { tokens: number; reconciled: number; estimated: number }>();
  for (let i = 0; i < HISTORY_DAYS; i++)
    byDay.set(addDays(start, i), { tokens: 0, reconciled: 0, estimated: 0 });
  await ctx.db.withTenant(orgId, async (tx) => {
    let departments: string[] | undefined;
    if (departmentId) {
      await assertDepartment(tx, orgId, departmentId);
      departments = await departmentSubtree(tx, orgId, departmentId);
    }
    const rows = await tx.db
      .selectFrom(`${rollupFor({ departmentId }, 'provider')} as u` as 'usage_daily as u')
      .select([
        sql<string>`u.bucket::text`.as('date'),
        'u.provider',
        sql<number>`sum(u.est_input_tokens + u.est_output_tokens)`.as('tokens'),
      ])
      .where('u.org_id', '=', orgId)
      .where('u.bucket', '>=', start)
      .where('u.bucket', '<=', end)
      .$if(departments !== undefined, (q) => q.where('u.department_id', 'in', departments as string[]))
      .groupBy(['u.bucket', 'u.provider'])
      .execute();
    const reconciledOf = new Map<
      string,
      (row: Record<string, unknown>) => {
        reconciled_input_tokens: number | null;
        reconciled_output_tokens: number | null;
      }
    >();
    for (const provider of new Set(rows.map((r) => r.provider))) {
      const filters = { provider, departmentId };
      const joined = await loadReconciledUsage(tx, orgId, { start, end, filters, groupBy: 'day' });
      reconciledOf.set(provider, joined.forRow);
    }
    for (const row of rows) {
      const slot = byDay.get(row.date);
      if (!slot) continue;
      const r = reconciledOf.get(row.provider)?.({ date: row.date });
      if (r && r.reconciled_input_tokens !== null && r.reconciled_output_tokens !== null) {
        slot.tokens += r.reconciled_input_tokens + r.reconciled_output_tokens;
        slot.reconciled++;
      } else {
        slot.tokens += Number(row.tokens);
        slot.estimated++;
      }
    }
  });
  const days = [...byDay.entries()].map(
    ([date, s]): HistoryDay => ({
      date,
      tokens: s.tokens,
      source: s.reconciled > 0 && s.estimated === 0 ? 'reconciled' : s.reconciled > 0 ? 'mixed' : 'estimated',
    }),
  );
  return { start, end, days };
}

/**
 * The forecast of the org (org-wide reach only) or of one department within the caller's reach
 * (a department outside it is a 404, like a foreign one).
 */
export async function getForecast(
  ctx: AppContext,
  scope: Scope,
  query: { horizon: 30 | 90; departmentId?: string | undefined },
): Promise<ForecastAnswer> {
  const orgId = scope.orgId;
  if (!query.departmentId && scope.reach !== 'org') {
    throw new AppError('forbidden', 'the org-wide forecast needs org-wide access; ask for scope=department');
  }
  if (query.departmentId && !inReach(scope, { departmentId: query.departmentId })) {
    throw new AppError('not_found', `department ${query.departmentId} not found`);
  }
  const history = await loadHistory(ctx, orgId, query.departmentId);
  // Days before the first usage are "not yet using", not zero demand: the model starts there.
  const first = history.days.findIndex((d) => d.tokens > 0);
  const series = first < 0 ? [] : history.days.slice(first).map((d) => ({ date: d.date, value: d.tokens }));
  const enough = series.length >= MIN_HISTORY_DAYS;
  return {
    scope: query.departmentId ? 'department' : 'org',
    department_id: query.departmentId ?? null,
    horizon: query.horizon,
    history_start: history.start,
    history_end: history.end,
    history: history.days,
    forecast: enough ? forecastDaily(series, query.horizon) : null,
    reason: enough ? null : `a forecast needs at least ${MIN_HISTORY_DAYS} days of usage history`,
  };
}
