/**
 * The Standard Webhooks retry schedule: the delay before attempt 2, 3, … after attempt 1 is
 * immediate. Ten attempts over ~3 days, then the delivery is dead (dead-letter; replayable).
 */
export const RETRY_DELAYS_MS = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  14 * 3_600_000,
  20 * 3_600_000,
  24 * 3_600_000,
] as const;

export const MAX_DELIVERY_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

/**
 * When to try again after `attempts` failed tries, or null when the delivery is out of attempts.
 * ±10% jitter spreads a burst of failures; a receiver's `Retry-After` (429/503) wins when longer.
 */
export function nextAttemptAt(
  attempts: number,
  now: Date,
  retryAfterSeconds: number | null,
  random: () => number = Math.random,
): Date | null {
  const base = RETRY_DELAYS_MS[attempts - 1];
  if (base === undefined) return null;
  const jittered = base * (0.9 + 0.2 * random());
  const asked = retryAfterSeconds === null ? 0 : Math.min(retryAfterSeconds, 86_400) * 1000;
  return new Date(now.getTime() + Math.max(jittered, asked));
}
