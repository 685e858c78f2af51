import { api } from '../../api.js';

export interface PrivacyWindow {
  /** ISO weekdays 1 (Mon) … 7 (Sun); empty = every day. */
  days: number[];
  start: string;
  end: string;
}

export interface MyPrivacy {
  time_zone: string;
  windows: PrivacyWindow[];
  paused_until: string | null;
  paused_indefinitely: boolean;
  state: 'off' | 'configured' | 'active';
  updated_at: string | null;
}

export const DAY_LABELS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export const getMyPrivacy = () => api<MyPrivacy>('/v1/me/privacy');

export const saveSchedule = (time_zone: string, windows: PrivacyWindow[]) =>
  api<MyPrivacy>('/v1/me/privacy/schedule', { method: 'PUT', body: { time_zone, windows } });

/** `minutes` undefined: until I resume. */
export const pauseNow = (minutes?: number) =>
  api<MyPrivacy>('/v1/me/privacy/pause', { method: 'POST', body: minutes ? { minutes } : {} });

export const resumeNow = () => api<MyPrivacy>('/v1/me/privacy/pause', { method: 'DELETE' });

export function describeDays(days: number[]): string {
  if (days.length === 0 || days.length === 7) return 'Every day';
  if (days.join() === '1,2,3,4,5') return 'Weekdays';
  if (days.join() === '6,7') return 'Weekends';
  return days.map((d) => DAY_LABELS[d - 1]).join(', ');
}

/** Every IANA zone the browser knows, the employee's own first. */
export function timeZones(own: string): string[] {
  const all =
    (Intl as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
  return [own, ...all.filter((z) => z !== own)];
}
