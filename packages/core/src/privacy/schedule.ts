/**
 * Privacy Hours: windows the employee chooses (e.g. 12:00–13:00 daily, in their local time zone)
 * and a manual pause. While either is in force the agent captures nothing and sends nothing.
 * Pure: the agent evaluates it on the device, the server only to show the employee their state.
 */
export interface PrivacyWindow {
  /** ISO weekdays 1 (Mon) … 7 (Sun); empty or missing = every day. */
  days?: number[];
  /** Local wall-clock times "HH:MM"; a window may cross midnight (22:00–06:00). */
  start: string;
  end: string;
}

export interface PrivacySettings {
  timeZone: string;
  windows: PrivacyWindow[];
  /** ISO timestamp until which monitoring is paused; "indefinite" until resumed. */
  pausedUntil?: string | 'indefinite';
}

export type PrivacyState = 'off' | 'configured' | 'active';

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function parseClock(value: string): number {
  const match = HHMM.exec(value);
  if (!match) throw new Error(`"${value}" is not a time of day (use HH:MM, 24-hour)`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** Local weekday (1–7) and minute of day at `now` in `timeZone`. */
export function localClock(now: Date, timeZone: string): { weekday: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(get('weekday')) + 1;
  return { weekday, minute: Number(get('hour')) * 60 + Number(get('minute')) };
}

function inWindow(window: PrivacyWindow, weekday: number, minute: number): boolean {
  const start = parseClock(window.start);
  const end = parseClock(window.end);
  const onDay = (d: number) => !window.days?.length || window.days.includes(d);
  if (start === end) return false;
  if (start < end) return onDay(weekday) && minute >= start && minute < end;
  // Crosses midnight: the evening part belongs to the start day, the morning part to the next.
  const yesterday = weekday === 1 ? 7 : weekday - 1;
  return (onDay(weekday) && minute >= start) || (onDay(yesterday) && minute < end);
}

export function isPrivate(settings: PrivacySettings | undefined, now: Date = new Date()): boolean {
  if (!settings) return false;
  if (settings.pausedUntil === 'indefinite') return true;
  if (settings.pausedUntil && new Date(settings.pausedUntil) > now) return true;
  const { weekday, minute } = localClock(now, settings.timeZone);
  return settings.windows.some((w) => inWindow(w, weekday, minute));
}

/** What admins may see: only whether Privacy Hours are configured and whether they are in force. */
export function privacyState(settings: PrivacySettings | undefined, now: Date = new Date()): PrivacyState {
  if (!settings || (settings.windows.length === 0 && !settings.pausedUntil)) return 'off';
  return isPrivate(settings, now) ? 'active' : 'configured';
}

/** Why a window is unusable, or undefined when it is fine. */
export function windowProblem(window: PrivacyWindow): string | undefined {
  if (!HHMM.test(window.start) || !HHMM.test(window.end)) return 'times are HH:MM, 24-hour';
  if (window.start === window.end) return 'a window needs different start and end times';
  if (window.days?.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) return 'days are 1 (Mon) … 7 (Sun)';
  return undefined;
}

/**
 * Several sources for one person (device-local and portal settings): private when any of them is.
 * Either source pausing wins; neither can switch the other off.
 */
export function isPrivateAny(sources: Array<PrivacySettings | undefined>, now: Date = new Date()): boolean {
  return sources.some((s) => isPrivate(s, now));
}

/** The combined admin-visible state of several sources. */
export function privacyStateAny(
  sources: Array<PrivacySettings | undefined>,
  now: Date = new Date(),
): PrivacyState {
  const states = sources.map((s) => privacyState(s, now));
  if (states.includes('active')) return 'active';
  return states.includes('configured') ? 'configured' : 'off';
}
