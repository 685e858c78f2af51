import { fitHoltWinters, horizonSigma, projectHoltWinters, SEASON } from './holt-winters.js';
import { classifyTrend, type TrendAssessment } from './trend.js';

export interface DailyValue {
  /** `YYYY-MM-DD`. */
  date: string;
  value: number;
}

export interface ForecastPoint {
  date: string;
  value: number;
  lower_80: number;
  upper_80: number;
  lower_95: number;
  upper_95: number;
}

export interface Backtest {
  holdout_days: number;
  /** Mean absolute percentage error of this model on the held-out days, in percent. */
  mape: number | null;
  /** The same for the naive seasonal baseline (each day = the same weekday a week earlier). */
  naive_mape: number | null;
}

export interface Forecast extends TrendAssessment {
  history_days: number;
  horizon: number;
  points: ForecastPoint[];
  /** Sum of the point forecasts over the horizon. */
  total: number;
  backtest: Backtest;
  model: {
    kind: 'holt-winters-additive-damped';
    alpha: number;
    beta: number;
    gamma: number;
    phi: number;
    sigma: number;
  };
}

/** Fewest days of history a forecast needs (two weeks initialise the seasonal model). */
export const MIN_HISTORY_DAYS = 21;

const Z80 = 1.2816;
const Z95 = 1.96;

export function addDaysUtc(day: string, days: number): string {
  const at = new Date(`${day}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().slice(0, 10);
}

export function mape(actual: readonly number[], predicted: readonly number[]): number | null {
  let sum = 0;
  let n = 0;
  actual.forEach((a, i) => {
    if (a > 0) {
      sum += Math.abs(a - (predicted[i] ?? 0)) / a;
      n++;
    }
  });
  return n === 0 ? null : (100 * sum) / n;
}

/** Seasonal naive: repeat the last observed week. */
export function naiveSeasonal(history: readonly number[], horizon: number): number[] {
  const lastWeek = history.slice(-SEASON);
  return Array.from({ length: horizon }, (_, i) => lastWeek[i % SEASON] ?? 0);
}

function backtest(values: readonly number[]): Backtest {
  const holdout = values.length >= 84 ? 28 : values.length >= 42 ? 14 : 0;
  if (holdout === 0) return { holdout_days: 0, mape: null, naive_mape: null };
  const train = values.slice(0, -holdout);
  const actual = values.slice(-holdout);
  const model = projectHoltWinters(fitHoltWinters(train), holdout).map((v) => Math.max(0, v));
  return {
    holdout_days: holdout,
    mape: mape(actual, model),
    naive_mape: mape(actual, naiveSeasonal(train, holdout)),
  };
}

/**
 * Forecasts `horizon` days past the last day of a contiguous daily series (oldest first; fill
 * gaps with 0 before calling). Intervals come from the one-step residual spread, widened per
 * horizon by the Holt-Winters error recursion, and are clamped at zero like the forecast.
 */
export function forecastDaily(series: readonly DailyValue[], horizon: number): Forecast {
  if (series.length < MIN_HISTORY_DAYS) {
    throw new RangeError(`a forecast needs at least ${MIN_HISTORY_DAYS} days of history`);
  }
  const values = series.map((d) => d.value);
  const fit = fitHoltWinters(values);
  const sigma = Math.sqrt(fit.sse / Math.max(1, fit.residuals.length - 3));
  const lastDay = (series[series.length - 1] as DailyValue).date;
  const points = projectHoltWinters(fit, horizon).map((raw, i): ForecastPoint => {
    const spread = horizonSigma(fit, sigma, i + 1);
    const value = Math.max(0, raw);
    return {
      date: addDaysUtc(lastDay, i + 1),
      value,
      lower_80: Math.max(0, raw - Z80 * spread),
      upper_80: Math.max(0, raw + Z80 * spread),
      lower_95: Math.max(0, raw - Z95 * spread),
      upper_95: Math.max(0, raw + Z95 * spread),
    };
  });
  return {
    history_days: series.length,
    horizon,
    points,
    total: points.reduce((a, p) => a + p.value, 0),
    ...classifyTrend(values),
    backtest: backtest(values),
    model: {
      kind: 'holt-winters-additive-damped',
      alpha: fit.alpha,
      beta: fit.beta,
      gamma: fit.gamma,
      phi: fit.phi,
      sigma,
    },
  };
}
