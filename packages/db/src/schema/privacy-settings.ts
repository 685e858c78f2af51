import type { ColumnType } from 'kysely';

export interface StoredPrivacyWindow {
  /** ISO weekdays 1 (Mon) … 7 (Sun); empty = every day. */
  days: number[];
  /** "HH:MM" in `time_zone`. */
  start: string;
  end: string;
}

/** An employee's own Privacy Hours (portal). Only that user's session and their devices read it. */
export interface PrivacySettingsTable {
  org_id: string;
  user_id: string;
  time_zone: string;
  windows: ColumnType<StoredPrivacyWindow[], string, string>;
  paused_until: Date | null;
  paused_indefinitely: ColumnType<boolean, boolean | undefined, boolean>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface PartialDB {
  privacy_settings: PrivacySettingsTable;
}
