/**
 * Rollover: at the end of a period, `min(unused, cap% × limit)` carries into the next one.
 * "Unused" is measured against what the period actually allowed (limit + what rolled into it),
 * and the cap is a share of the base limit, so carried amounts can never compound beyond it.
 * Amounts are in the budget's unit (tokens, or micro-currency for money budgets).
 */
export interface RolloverInput {
  limit: number;
  rolloverIn: number;
  spent: number;
  /** 0–100; 0 or null disables rollover. */
  capPct: number | null;
}

export function rolloverAmount(input: RolloverInput): number {
  const pct = input.capPct ?? 0;
  if (pct <= 0) return 0;
  const unused = Math.max(0, input.limit + input.rolloverIn - input.spent);
  const cap = Math.floor((pct * input.limit) / 100);
  return Math.min(unused, cap);
}

/** What a period allows in total: its base limit plus what rolled in. */
export function effectiveLimit(limit: number, rolloverIn: number): number {
  return limit + rolloverIn;
}
