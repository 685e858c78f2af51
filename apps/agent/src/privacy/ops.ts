import type { PrivacySettings, PrivacyWindow } from './schedule.js';

/** One change an account asks for: the same set for direct edits and the request directory. */
export type PrivacyOp =
  | { op: 'add'; window: PrivacyWindow }
  | { op: 'clear' }
  | { op: 'pause'; minutes?: number }
  | { op: 'resume' }
  | { op: 'show' };

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Validates an op from an untrusted request file; undefined when it is not one. */
export function parseOp(value: unknown): PrivacyOp | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  switch (v.op) {
    case 'clear':
    case 'resume':
    case 'show':
      return { op: v.op };
    case 'pause': {
      const minutes = v.minutes;
      if (minutes === undefined) return { op: 'pause' };
      return typeof minutes === 'number' && Number.isFinite(minutes) && minutes > 0 && minutes <= 525_600
        ? { op: 'pause', minutes }
        : undefined;
    }
    case 'add': {
      const w = v.window as Record<string, unknown> | undefined;
      if (!w || typeof w.start !== 'string' || typeof w.end !== 'string') return undefined;
      if (!HHMM.test(w.start) || !HHMM.test(w.end) || w.start === w.end) return undefined;
      const days = w.days;
      if (
        days !== undefined &&
        !(
          Array.isArray(days) &&
          days.length <= 7 &&
          days.every((d) => Number.isInteger(d) && d >= 1 && d <= 7)
        )
      )
        return undefined;
      return {
        op: 'add',
        window: { start: w.start, end: w.end, ...(days ? { days: days as number[] } : {}) },
      };
    }
    default:
      return undefined;
  }
}

/** The settings after `op` (show: unchanged). */
export function applyOp(settings: PrivacySettings, op: PrivacyOp, now = Date.now()): PrivacySettings {
  switch (op.op) {
    case 'add':
      return { ...settings, windows: [...settings.windows, op.window] };
    case 'clear':
      return { timeZone: settings.timeZone, windows: [] };
    case 'pause':
      return {
        ...settings,
        pausedUntil: op.minutes ? new Date(now + op.minutes * 60_000).toISOString() : 'indefinite',
      };
    case 'resume': {
      const { pausedUntil: _, ...rest } = settings;
      return rest;
    }
    case 'show':
      return settings;
  }
}

export function emptySettings(): PrivacySettings {
  return { timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone, windows: [] };
}
