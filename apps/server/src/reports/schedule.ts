import type { ReportFrequency } from '@toktra/db';

export interface ScheduleRule {
  frequency: ReportFrequency;
  /** 0 = Sunday (weekly). */
  day_of_week: number | null;
  /** 1–28 (monthly). */
  day_of_month: number | null;
  /** `HH:MM` local. */
  time_of_day: string;
  time_zone: string;
}

function partsIn(at: number, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return {
    y: get('year'),
    m: get('month'),
    d: get('day'),
    h: get('hour'),
    min: get('minute'),
    s: get('second'),
  };
}

/** The UTC instant of a wall-clock time in a zone (DST gaps resolve forward, overlaps to the first). */
export function zonedTime(day: string, time: string, timeZone: string): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const [h, min] = time.split(':').map(Number) as [number, number];
  const wanted = Date.UTC(y, m - 1, d, h, min);
  let guess = wanted;
  for (let i = 0; i < 3; i++) {
    const p = partsIn(guess, timeZone);
    const shown = Date.UTC(p.y, p.m - 1, p.d, p.h, p.min, p.s);
    guess += wanted - shown;
  }
  return new Date(guess);
}

function localDay(at: Date, timeZone: string): string {
  const p = partsIn(at.getTime(), timeZone);
  return `${p.y}-${String(p.m).padStart(2, '0')}-${String(p.d).padStart(2, '0')}`;
}

function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The first run strictly after `after` that matches the rule, in the rule's time zone. */
export function nextRunAt(rule: ScheduleRule, after: Date): Date {
  const start = localDay(after, rule.time_zone);
  for (let i = 0; i < 63; i++) {
    const day = addDays(start, i);
    const date = new Date(`${day}T00:00:00Z`);
    if (rule.frequency === 'weekly' && date.getUTCDay() !== rule.day_of_week) continue;
    if (rule.frequency === 'monthly' && date.getUTCDate() !== rule.day_of_month) continue;
    const at = zonedTime(day, rule.time_of_day, rule.time_zone);
    if (at.getTime() > after.getTime()) return at;
  }
  throw new RangeError('no matching run time within 63 days');
}

/** The reporting period that ends the day before `runDay`: 1, 7 or 30 days. */
export function reportPeriod(frequency: ReportFrequency, runDay: string): { start: string; end: string } {
  const end = addDays(runDay, -1);
  const days = frequency === 'daily' ? 1 : frequency === 'weekly' ? 7 : 30;
  return { start: addDays(end, -(days - 1)), end };
}

export { localDay };
