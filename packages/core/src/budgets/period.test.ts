import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isValidTimeZone,
  localDay,
  periodBounds,
  periodKeyOf,
  periodOf,
  shiftPeriodKey,
  startOfLocalDay,
} from './period.js';

describe('budget periods (calendar months in the org time zone)', () => {
  it('UTC month bounds are midnight UTC on the 1st', () => {
    const p = periodBounds('2026-02', 'UTC');
    expect(p.start.toISOString()).toBe('2026-02-01T00:00:00.000Z');
    expect(p.end.toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(p.lastDay).toBe('2026-02-28');
    expect(periodBounds('2028-02', 'UTC').lastDay).toBe('2028-02-29');
  });

  it('America/New_York across the March DST change: EST start, EDT end (743 hours)', () => {
    const p = periodBounds('2026-03', 'America/New_York');
    expect(p.start.toISOString()).toBe('2026-03-01T05:00:00.000Z'); // EST, UTC-5
    expect(p.end.toISOString()).toBe('2026-04-01T04:00:00.000Z'); // EDT, UTC-4
    expect((p.end.getTime() - p.start.getTime()) / 3_600_000).toBe(31 * 24 - 1);
  });

  it('America/New_York across the November DST change is 721 hours long', () => {
    const p = periodBounds('2026-11', 'America/New_York');
    expect(p.start.toISOString()).toBe('2026-11-01T04:00:00.000Z');
    expect(p.end.toISOString()).toBe('2026-12-01T05:00:00.000Z');
    expect((p.end.getTime() - p.start.getTime()) / 3_600_000).toBe(30 * 24 + 1);
  });

  it('Pacific/Auckland month end: 1 Feb local is still January in UTC', () => {
    const p = periodBounds('2026-01', 'Pacific/Auckland');
    expect(p.start.toISOString()).toBe('2025-12-31T11:00:00.000Z'); // NZDT, UTC+13
    expect(p.end.toISOString()).toBe('2026-01-31T11:00:00.000Z');
    // 31 Jan 23:30 UTC is 1 Feb 12:30 in Auckland: the February period.
    expect(periodKeyOf(new Date('2026-01-31T23:30:00Z'), 'Pacific/Auckland')).toBe('2026-02');
    expect(periodKeyOf(new Date('2026-01-31T10:59:59.999Z'), 'Pacific/Auckland')).toBe('2026-01');
    expect(periodKeyOf(new Date('2026-01-31T11:00:00Z'), 'Pacific/Auckland')).toBe('2026-02');
  });

  it('a zone whose midnight does not exist starts the day at the first instant (America/Santiago, Sept 2026)', () => {
    // Chile springs forward at 00:00 local on the first Sunday of September: 00:00 → 01:00.
    const start = startOfLocalDay('2026-09-06', 'America/Santiago');
    expect(localDay(start, 'America/Santiago')).toBe('2026-09-06');
    expect(localDay(start.getTime() - 1, 'America/Santiago')).toBe('2026-09-05');
  });

  it('shifts period keys across years', () => {
    expect(shiftPeriodKey('2026-12', 1)).toBe('2027-01');
    expect(shiftPeriodKey('2026-01', -1)).toBe('2025-12');
    expect(shiftPeriodKey('2026-05', -17)).toBe('2024-12');
    expect(() => shiftPeriodKey('2026-13', 1)).toThrow(RangeError);
  });

  it('validates time zones', () => {
    expect(isValidTimeZone('Pacific/Auckland')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
  });

  const zones = [
    'UTC',
    'America/New_York',
    'Pacific/Auckland',
    'Asia/Kolkata',
    'Australia/Lord_Howe',
    'America/Santiago',
    'Europe/London',
  ];
  it('property: every instant lies in its period, periods tile time without gaps', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }),
        fc.constantFrom(...zones),
        (t, zone) => {
          const p = periodOf(t, zone);
          expect(p.start.getTime()).toBeLessThanOrEqual(t);
          expect(t).toBeLessThan(p.end.getTime());
          expect(periodKeyOf(p.start, zone)).toBe(p.key);
          expect(periodKeyOf(p.start.getTime() - 1, zone)).toBe(shiftPeriodKey(p.key, -1));
          expect(periodBounds(shiftPeriodKey(p.key, 1), zone).start.getTime()).toBe(p.end.getTime());
        },
      ),
      { numRuns: 300 },
    );
  });
});
