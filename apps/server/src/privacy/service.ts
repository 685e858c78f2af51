import { AppError, isValidTimeZone, type PrivacySettings, privacyState, windowProblem } from '@toktra/core';
import type { Database, StoredPrivacyWindow, Tx } from '@toktra/db';

/**
 * An employee's own Privacy Hours. Every function takes the user id of the signed-in employee
 * (never one from a URL): there is no path by which someone else's settings are read or written.
 * Changes are deliberately not audited — the audit log is an admin read path, and an entry per
 * pause would tell admins exactly when an employee went private.
 */
export interface OwnPrivacy {
  time_zone: string;
  windows: StoredPrivacyWindow[];
  paused_until: string | null;
  paused_indefinitely: boolean;
  /** Computed now: off | configured | active. */
  state: 'off' | 'configured' | 'active';
  updated_at: string | null;
}

export interface ScheduleInput {
  timeZone: string;
  windows: StoredPrivacyWindow[];
}

/** At most one week of a timed pause; longer is "until I resume". */
export const MAX_PAUSE_MINUTES = 7 * 24 * 60;

type Row = {
  time_zone: string;
  windows: StoredPrivacyWindow[];
  paused_until: Date | null;
  paused_indefinitely: boolean;
  updated_at: Date;
};

/** The agent's and core's shape of one person's settings. */
export function toSettings(row: Row): PrivacySettings {
  const settings: PrivacySettings = { timeZone: row.time_zone, windows: row.windows };
  if (row.paused_indefinitely) settings.pausedUntil = 'indefinite';
  else if (row.paused_until) settings.pausedUntil = row.paused_until.toISOString();
  return settings;
}

function view(row: Row | undefined, fallbackZone: string, now = new Date()): OwnPrivacy {
  if (!row) {
    return {
      time_zone: fallbackZone,
      windows: [],
      paused_until: null,
      paused_indefinitely: false,
      state: 'off',
      updated_at: null,
    };
  }
  const expired = row.paused_until !== null && row.paused_until <= now;
  return {
    time_zone: row.time_zone,
    windows: row.windows,
    paused_until: expired ? null : (row.paused_until?.toISOString() ?? null),
    paused_indefinitely: row.paused_indefinitely,
    state: privacyState(toSettings(row), now),
    updated_at: row.updated_at.toISOString(),
  };
}

const COLUMNS = ['time_zone', 'windows', 'paused_until', 'paused_indefinitely', 'updated_at'] as const;

async function load(tx: Tx, orgId: string, userId: string): Promise<{ row?: Row; orgZone: string }> {
  const row = await tx.db
    .selectFrom('privacy_settings')
    .select(COLUMNS)
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  const org = await tx.db.selectFrom('orgs').select('time_zone').where('id', '=', orgId).executeTakeFirst();
  return { row, orgZone: org?.time_zone ?? 'UTC' };
}

export async function getOwnPrivacy(db: Database, orgId: string, userId: string): Promise<OwnPrivacy> {
  return db.withTenant(orgId, async (tx) => {
    const { row, orgZone } = await load(tx, orgId, userId);
    return view(row, orgZone);
  });
}

/** Upserts one part of the row, keeping the rest (a schedule edit keeps a pause, and back). */
async function upsert(
  db: Database,
  orgId: string,
  userId: string,
  change: (current: Row | undefined, orgZone: string) => Omit<Row, 'updated_at'>,
): Promise<OwnPrivacy> {
  return db.withTenant(orgId, async (tx) => {
    const { row, orgZone } = await load(tx, orgId, userId);
    const next = { ...change(row, orgZone), updated_at: new Date() };
    const values = { ...next, windows: JSON.stringify(next.windows) };
    const saved = await tx.db
      .insertInto('privacy_settings')
      .values({ org_id: orgId, user_id: userId, ...values })
      .onConflict((oc) => oc.columns(['org_id', 'user_id']).doUpdateSet(values))
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    return view(saved, orgZone);
  });
}

export function saveSchedule(db: Database, orgId: string, userId: string, input: ScheduleInput) {
  if (!isValidTimeZone(input.timeZone))
    throw new AppError('validation_failed', `"${input.timeZone}" is not a known time zone`);
  input.windows.forEach((w, i) => {
    const problem = windowProblem(w);
    if (problem) throw new AppError('validation_failed', `window ${i + 1}: ${problem}`);
  });
  const windows = input.windows.map((w) => ({
    days: [...new Set(w.days)].sort(),
    start: w.start,
    end: w.end,
  }));
  return upsert(db, orgId, userId, (current) => ({
    time_zone: input.timeZone,
    windows,
    paused_until: current?.paused_until ?? null,
    paused_indefinitely: current?.paused_indefinitely ?? false,
  }));
}

/** Pauses now, for `minutes` or (none) until the employee resumes. */
export function pause(db: Database, orgId: string, userId: string, minutes?: number) {
  return upsert(db, orgId, userId, (current, orgZone) => ({
    time_zone: current?.time_zone ?? orgZone,
    windows: current?.windows ?? [],
    paused_until: minutes ? new Date(Date.now() + minutes * 60_000) : null,
    paused_indefinitely: !minutes,
  }));
}

export function resume(db: Database, orgId: string, userId: string) {
  return upsert(db, orgId, userId, (current, orgZone) => ({
    time_zone: current?.time_zone ?? orgZone,
    windows: current?.windows ?? [],
    paused_until: null,
    paused_indefinitely: false,
  }));
}
