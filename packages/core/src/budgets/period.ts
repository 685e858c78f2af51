/**
 * Budget periods are calendar months in the org's IANA time zone. A period is identified by its
 * key `YYYY-MM`; its bounds are the exact instants local midnight of the 1st begins, found by
 * search rather than offset arithmetic so DST changes and zones whose midnight does not exist on
 * some days (the first instant of the day is then 01:00) are exact.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** True when `timeZone` is an IANA zone this runtime knows. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The local calendar day (`YYYY-MM-DD`) of an instant in `timeZone`. */
export function localDay(at: Date | number, timeZone: string): string {
  return formatterFor(timeZone).format(at);
}

const PERIOD_KEY = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isPeriodKey(key: string): boolean {
  return PERIOD_KEY.test(key);
}

/** The period (`YYYY-MM`) an instant falls in, in `timeZone`. */
export function periodKeyOf(at: Date | number, timeZone: string): string {
  return localDay(at, timeZone).slice(0, 7);
}

function parseKey(key: string): { year: number; month: number } {
  const match = PERIOD_KEY.exec(key);
  if (!match) throw new RangeError(`"${key}" is not a period key (YYYY-MM)`);
  return { year: Number(match[1]), month: Number(match[2]) };
}

function formatKey(year: number, month: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
}

/** The period `offset` months after `key` (negative goes back). */
export function shiftPeriodKey(key: string, offset: number): string {
  const { year, month } = parseKey(key);
  const index = year * 12 + (month - 1) + offset;
  return formatKey(Math.floor(index / 12), (index % 12) + 1);
}

const HOUR = 3_600_000;

/**
 * The first instant whose local day in `timeZone` is `day` or later. Local days never go
 * backwards as time advances, so a binary search over a window wide enough for any UTC offset
 * (±18 h) finds it to the millisecond.
 */
export function startOfLocalDay(day: string, timeZone: string): Date {
  const naive = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(naive)) throw new RangeError(`"${day}" is not a date (YYYY-MM-DD)`);
  let lo = naive - 18 * HOUR; // local day certainly before `day`
  let hi = naive + 18 * HOUR; // local day certainly `day` or after
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (localDay(mid, timeZone) >= day) hi = mid;
    else lo = mid;
  }
  return new Date(hi);
}

export interface PeriodBounds {
  key: string;
  /** Inclusive: local midnight of the 1st. */
  start: Date;
  /** Exclusive: local midnight of the next month's 1st. */
  end: Date;
  /** Local days of the period, first and last (`YYYY-MM-DD`), for daily rollups. */
  firstDay: string;
  lastDay: string;
}

const boundsCache = new Map<string, PeriodBounds>();

export function periodBounds(key: string, timeZone: string): PeriodBounds {
  const cacheKey = `${timeZone}|${key}`;
  const cached = boundsCache.get(cacheKey);
  if (cached) return cached;
  const next = shiftPeriodKey(key, 1);
  const { year, month } = parseKey(key);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const bounds: PeriodBounds = {
    key,
    start: startOfLocalDay(`${key}-01`, timeZone),
    end: startOfLocalDay(`${next}-01`, timeZone),
    firstDay: `${key}-01`,
    lastDay: `${key}-${String(daysInMonth).padStart(2, '0')}`,
  };
  if (boundsCache.size > 10_000) boundsCache.clear();
  boundsCache.set(cacheKey, bounds);
  return bounds;
}

/** The period holding `at`, with its bounds. */
export function periodOf(at: Date | number, timeZone: string): PeriodBounds {
  return periodBounds(periodKeyOf(at, timeZone), timeZone);
}
