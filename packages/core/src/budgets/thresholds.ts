/**
 * Alert thresholds are percentages of a period's effective limit. Each fires at most once per
 * period: callers keep the set already fired (persisted per period) and pass it back. 100 is
 * always watched, so reaching the cap itself is announced for soft and hard caps alike.
 */
export function normalizeThresholds(thresholds: readonly number[]): number[] {
  return [...new Set([...thresholds, 100])].sort((a, b) => a - b);
}

/** Money budgets are kept to 6 decimals (`numeric(20, 6)`): thresholds compare in those micro-units. */
const MICROS = 1_000_000;

/**
 * The amount at which `percent` of `limit` is reached. Tokens are whole (ceil: 80% of 5 tokens is
 * 4 tokens); money is not — 95% of $10 is $9.50, 150% of $0.10 is $0.15 — so money is rounded up
 * to the micro-unit, never to a whole currency unit.
 */
export function thresholdAmount(limit: number, percent: number, unit: 'tokens' | 'cost' = 'tokens'): number {
  if (unit === 'tokens') return Math.ceil((limit * percent) / 100 - 1e-9);
  return Math.ceil((Math.round(limit * MICROS) * percent) / 100 - 1e-9) / MICROS;
}

/** Whether `spent` has reached `amount`: money compared in whole micro-units (no float dust). */
function reached(spent: number, amount: number, unit: 'tokens' | 'cost'): boolean {
  return unit === 'tokens' ? spent >= amount : Math.round(spent * MICROS) >= Math.round(amount * MICROS);
}

/** Thresholds reached by `spent` that have not fired yet, ascending. */
export function thresholdsToFire(input: {
  limit: number;
  spent: number;
  thresholds: readonly number[];
  fired: readonly number[];
  /** Default tokens. */
  unit?: 'tokens' | 'cost';
}): number[] {
  if (input.limit <= 0) return [];
  const unit = input.unit ?? 'tokens';
  const fired = new Set(input.fired);
  return normalizeThresholds(input.thresholds).filter(
    (t) => !fired.has(t) && reached(input.spent, thresholdAmount(input.limit, t, unit), unit),
  );
}
