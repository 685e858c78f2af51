export const TREND_CLASSES = ['Accelerating', 'Steady', 'Decelerating', 'Declining'] as const;
export type TrendClass = (typeof TREND_CLASSES)[number];

/** Weekly growth, as a fraction of the mean weekly level, beyond which a change counts. */
export const TREND_TOLERANCE = 0.02;
/** Recent weekly growth below −2 % of the mean level is a decline. */
export const DECLINE_THRESHOLD = -0.02;
/** Weeks in the "recent" window compared against the whole history. */
export const RECENT_WEEKS = 6;

export interface TrendAssessment {
  trend: TrendClass;
  /** Slope of weekly totals over the whole history, per week, as a fraction of their mean. */
  baseline_weekly_growth: number;
  /** The same over the last RECENT_WEEKS weeks. */
  recent_weekly_growth: number;
}

function slope(values: readonly number[]): number {
  const n = values.length;
  const xMean = (n - 1) / 2;
  const yMean = values.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  values.forEach((v, i) => {
    num += (i - xMean) * (v - yMean);
    den += (i - xMean) ** 2;
  });
  return den === 0 ? 0 : num / den;
}

/**
 * Classifies a daily series (oldest first). Whole weeks counted back from the last day remove
 * the weekly seasonality; growth is the least-squares slope of weekly totals divided by their
 * mean. Rule (docs/forecasting.md): recent < −2 % → Declining; recent − baseline > 2 % →
 * Accelerating; baseline − recent > 2 % → Decelerating; otherwise Steady.
 */
export function classifyTrend(daily: readonly number[]): TrendAssessment {
  const weeks: number[] = [];
  for (let end = daily.length; end - 7 >= 0; end -= 7) {
    weeks.unshift(daily.slice(end - 7, end).reduce((a, b) => a + b, 0));
  }
  const level = weeks.reduce((a, b) => a + b, 0) / Math.max(1, weeks.length);
  if (weeks.length < 3 || level <= 0) {
    return { trend: 'Steady', baseline_weekly_growth: 0, recent_weekly_growth: 0 };
  }
  const baseline = slope(weeks) / level;
  const recent = slope(weeks.slice(-Math.min(RECENT_WEEKS, weeks.length))) / level;
  let trend: TrendClass = 'Steady';
  if (recent < DECLINE_THRESHOLD) trend = 'Declining';
  else if (recent - baseline > TREND_TOLERANCE) trend = 'Accelerating';
  else if (baseline - recent > TREND_TOLERANCE) trend = 'Decelerating';
  return { trend, baseline_weekly_growth: baseline, recent_weekly_growth: recent };
}
