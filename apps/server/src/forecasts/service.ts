import { AppError, type Forecast, forecastDaily, MIN_HISTORY_DAYS } from '@toktra/core';
import { inReach, type Scope } from '../auth/scope.js';
import type { AppContext } from '../context.js';
import { orgTimeZoneOf } from '../scorecards/org-day.js';
import { queryUsage } from '../usage/query.js';
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
 * elsewhere — both read through `queryUsage`, the query behind `GET /v1/usage`. Department
 * scope is estimates only: providers cannot attribute usage to our departments.
 */
export async function loadHistory(
  ctx: AppContext,
  orgId: string,
  departmentId: string | undefined,
): Promise<{ start: string; end: string; days: HistoryDay[] }> {
  const timeZone = await orgTimeZoneOf(ctx, orgId);
  const end = addDays(dayInZone(Date.now(), timeZone), -1);
  const start = addDays(end, -(HISTORY_DAYS - 1));
  const range = { startDate: start, endDate: end, departmentId };
  const providers = await queryUsage(ctx.db, orgId, { ...range, groupBy: 'provider' });
  const byDay = new Map<string, { tokens: number; reconciled: number; estimated: number }>();
  for (let i = 0; i < HISTORY_DAYS; i++)
    byDay.set(addDays(start, i), { tokens: 0, reconciled: 0, estimated: 0 });
  for (const p of providers.data) {
    const provider = String(p.provider);
    const daily = await queryUsage(ctx.db, orgId, { ...range, provider, groupBy: 'day' });
    for (const row of daily.data) {
      const slot = byDay.get(String(row.date));
      if (!slot) continue;
      if (row.reconciled_input_tokens !== null && row.reconciled_output_tokens !== null) {
        slot.tokens += row.reconciled_input_tokens + row.reconciled_output_tokens;
        slot.reconciled++;
      } else {
        slot.tokens += row.est_input_tokens + row.est_output_tokens;
        slot.estimated++;
      }
    }
  }
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
