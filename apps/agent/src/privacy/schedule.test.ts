import { describe, expect, it } from 'vitest';
import { isPrivate, parseClock, privacyState } from './schedule.js';

const lunch = { timeZone: 'Europe/Berlin', windows: [{ start: '12:00', end: '13:00' }] };

describe('Privacy Hours schedule', () => {
  it('is private inside a daily window in the employee’s time zone, not outside', () => {
    // 12:30 in Berlin (CET, UTC+1) is 11:30 UTC.
    expect(isPrivate(lunch, new Date('2026-01-14T11:30:00Z'))).toBe(true);
    expect(isPrivate(lunch, new Date('2026-01-14T12:00:00Z'))).toBe(false); // 13:00 local: end is exclusive
    expect(isPrivate(lunch, new Date('2026-01-14T10:59:00Z'))).toBe(false);
    // Summer time (UTC+2): 12:30 local is 10:30 UTC.
    expect(isPrivate(lunch, new Date('2026-07-14T10:30:00Z'))).toBe(true);
  });

  it('honours weekdays and windows that cross midnight', () => {
    const nights = { timeZone: 'UTC', windows: [{ days: [5], start: '22:00', end: '06:00' }] }; // Friday night
    expect(isPrivate(nights, new Date('2026-01-16T23:00:00Z'))).toBe(true); // Fri 23:00
    expect(isPrivate(nights, new Date('2026-01-17T05:59:00Z'))).toBe(true); // Sat 05:59, still Friday's window
    expect(isPrivate(nights, new Date('2026-01-17T06:00:00Z'))).toBe(false);
    expect(isPrivate(nights, new Date('2026-01-15T23:00:00Z'))).toBe(false); // Thursday
  });

  it('pauses until a time, or indefinitely', () => {
    const paused = { timeZone: 'UTC', windows: [], pausedUntil: '2026-01-14T15:00:00Z' };
    expect(isPrivate(paused, new Date('2026-01-14T14:59:59Z'))).toBe(true);
    expect(isPrivate(paused, new Date('2026-01-14T15:00:01Z'))).toBe(false);
    expect(isPrivate({ timeZone: 'UTC', windows: [], pausedUntil: 'indefinite' })).toBe(true);
  });

  it('reports only off / configured / active', () => {
    expect(privacyState(undefined)).toBe('off');
    expect(privacyState({ timeZone: 'UTC', windows: [] })).toBe('off');
    expect(privacyState(lunch, new Date('2026-01-14T08:00:00Z'))).toBe('configured');
    expect(privacyState(lunch, new Date('2026-01-14T11:15:00Z'))).toBe('active');
  });

  it('rejects malformed times clearly', () => {
    expect(() => parseClock('25:00')).toThrow(/HH:MM/);
    expect(parseClock('07:05')).toBe(425);
  });
});
