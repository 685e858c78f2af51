import { AppError } from '@toktra/core';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const MAX_MS = 365 * UNIT_MS.d;

/** Parses "90s", "30m", "24h", "7d" into milliseconds (1 second to 365 days). */
export function parseDuration(text: string, what = 'ttl'): number {
  const match = /^(\d{1,6})([smhd])$/.exec(text.trim());
  if (!match?.[1] || !match[2]) {
    throw new AppError('validation_failed', `${what}: use a number and a unit s, m, h or d, like 24h`);
  }
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  if (ms < UNIT_MS.s || ms > MAX_MS) throw new AppError('validation_failed', `${what}: must be 1s to 365d`);
  return ms;
}
