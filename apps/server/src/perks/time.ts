import { PERK_TTL_MS } from '@toktra/perks';

/**
 * A personal record's timestamps. `created_at` is the hour the record arrived, not the second:
 * exact arrival times would let a database reader line a personal entry up with the corporate
 * traffic of the same minute. `expires_at` is exactly 90 days (2,160 hours) later; the table's
 * CHECK holds the same rule.
 */
export function recordTimes(now: Date): { created_at: Date; expires_at: Date } {
  const hour = new Date(now);
  hour.setUTCMinutes(0, 0, 0);
  return { created_at: hour, expires_at: new Date(hour.getTime() + PERK_TTL_MS) };
}

/** The calendar month `YYYY-MM` (UTC) that allowances are counted in. */
export const periodOf = (at: Date): string => at.toISOString().slice(0, 7);

export function previousPeriod(at: Date): string {
  return periodOf(new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() - 1, 1)));
}
