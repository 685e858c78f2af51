/**
 * A user's usage baseline: the robust z-score of today's (or this hour's) tokens against the
 * user's own history, with the median and the median absolute deviation (MAD) instead of the
 * mean and standard deviation, so one past spike does not hide the next.
 *
 *   z = 0.6745 · (x − median) / MAD
 *
 * (0.6745 makes MAD consistent with σ for normal data: Iglewicz & Hoaglin.) When MAD is 0 — most
 * history days alike, e.g. mostly idle — we fall back to the mean absolute deviation scaled by
 * 1.2533 (√(π/2), consistent with σ likewise); when that is 0 too, every value equals the median,
 * so any x above it is an infinite deviation and x at it is 0.
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export interface RobustBaseline {
  median: number;
  mad: number;
  /** Mean absolute deviation around the median (the MAD = 0 fallback). */
  meanAd: number;
}

export function robustBaseline(history: readonly number[]): RobustBaseline {
  const m = median(history);
  const deviations = history.map((v) => Math.abs(v - m));
  const meanAd = deviations.length ? deviations.reduce((s, d) => s + d, 0) / deviations.length : 0;
  return { median: m, mad: median(deviations), meanAd };
}

export function robustZScore(x: number, history: readonly number[]): number {
  const b = robustBaseline(history);
  if (b.mad > 0) return (0.6745 * (x - b.median)) / b.mad;
  if (b.meanAd > 0) return (x - b.median) / (1.2533 * b.meanAd);
  if (x === b.median) return 0;
  return x > b.median ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
}

/** Days of history the unusual-usage trigger compares against. */
export const BASELINE_DAYS = 28;
