import { localDay } from '@toktra/core';

/** The calendar day (`YYYY-MM-DD`) an instant falls on in `timeZone` (the budgets' own helper). */
export const dayInZone = localDay;

/**
 * Memoises `dayInZone` per 15-minute slot: every zone offset in use is a multiple of 15 minutes,
 * so all instants of one slot fall on the same local day. Saves the formatter call per event.
 */
export function createDayResolver(timeZone: string): (at: Date) => string {
  const slotMs = 15 * 60_000;
  const cache = new Map<number, string>();
  return (at) => {
    const slot = Math.floor(at.getTime() / slotMs);
    let day = cache.get(slot);
    if (day === undefined) {
      day = dayInZone(slot * slotMs, timeZone);
      cache.set(slot, day);
    }
    return day;
  };
}

/** The start of the UTC hour holding `at`. */
export function hourBucket(at: Date): Date {
  return new Date(Math.floor(at.getTime() / 3_600_000) * 3_600_000);
}

/** Adds whole days to a `YYYY-MM-DD` date (calendar arithmetic, no zone involved). */
export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
