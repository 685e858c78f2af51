/**
 * Alert thresholds are percentages of a period's effective limit. Each fires at most once per
 * period: callers keep the set already fired (persisted per period) and pass it back. 100 is
 * always watched, so reaching the cap itself is announced for soft and hard caps alike.
 */
export function normalizeThresholds(thresholds: readonly number[]): number[] {
  return [...new Set([...thresholds, 100])].sort((a, b) => a - b);
}

/** The amount at which `percent` of `limit` is reached (ceil: 80% of 5 tokens is 4 tokens). */
export function thresholdAmount(limit: number, percent: number): number {
  return Math.ceil((limit * percent) / 100 - 1e-9);
}

/** Thresholds reached by `spent` that have not fired yet, ascending. */
export function thresholdsToFire(input: {
  limit: number;
  spent: number;
  thresholds: readonly number[];
  fired: readonly number[];
}): number[] {
  if (input.limit <= 0) return [];
  const fired = new Set(input.fired);
  return normalizeThresholds(input.thresholds).filter(
    (t) => !fired.has(t) && input.spent >= thresholdAmount(input.limit, t),
  );
}
