import { describe, expect, it } from 'vitest';
import { nextRunAt, reportPeriod, zonedTime } from './schedule.js';

describe('nextRunAt', () => {
  it('daily at a local time, across a DST change (Berlin, 29 March 2026)', () => {
    const rule = {
      frequency: 'daily' as const,
      day_of_week: null,
      day_of_month: null,
      time_of_day: '07:00',
      time_zone: 'Europe/Berlin',
    };
    // 28 March: CET (UTC+1) → 06:00Z; the 29th is CEST (UTC+2) → 05:00Z.
    expect(nextRunAt(rule, new Date('2026-03-28T05:00:00Z')).toISOString()).toBe('2026-03-28T06:00:00.000Z');
    expect(nextRunAt(rule, new Date('2026-03-28T06:00:00Z')).toISOString()).toBe('2026-03-29T05:00:00.000Z');
  });

  it('weekly on a weekday in New York', () => {
    const rule = {
      frequency: 'weekly' as const,
      day_of_week: 1,
      day_of_month: null,
      time_of_day: '09:30',
      time_zone: 'America/New_York',
    };
    // Wednesday 2026-11-18 → Monday 2026-11-23 09:30 EST = 14:30Z.
    expect(nextRunAt(rule, new Date('2026-11-18T12:00:00Z')).toISOString()).toBe('2026-11-23T14:30:00.000Z');
  });

  it('monthly on a day of the month in Sydney (already the next day in UTC terms)', () => {
    const rule = {
      frequency: 'monthly' as const,
      day_of_week: null,
      day_of_month: 1,
      time_of_day: '08:00',
      time_zone: 'Australia/Sydney',
    };
    // 1 December 2026 08:00 AEDT (UTC+11) = 30 November 21:00Z.
    expect(nextRunAt(rule, new Date('2026-11-15T00:00:00Z')).toISOString()).toBe('2026-11-30T21:00:00.000Z');
  });

  it('resolves wall-clock times and report periods', () => {
    expect(zonedTime('2026-07-01', '00:00', 'UTC').toISOString()).toBe('2026-07-01T00:00:00.000Z');
    expect(reportPeriod('daily', '2026-11-21')).toEqual({ start: '2026-11-20', end: '2026-11-20' });
    expect(reportPeriod('weekly', '2026-11-21')).toEqual({ start: '2026-11-14', end: '2026-11-20' });
    expect(reportPeriod('monthly', '2026-11-21')).toEqual({ start: '2026-10-22', end: '2026-11-20' });
  });
});
