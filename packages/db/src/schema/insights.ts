import type { ColumnType, Generated } from 'kysely';

export type ExportStatus = 'queued' | 'running' | 'ready' | 'failed';
export type ExportFormat = 'csv' | 'json';
export type ExportScope = 'users' | 'teams' | 'models' | 'providers';

/** One export job; the file lives on the server's disk until `expires_at`. */
export interface ExportsTable {
  id: Generated<string>;
  org_id: string;
  status: ColumnType<ExportStatus, ExportStatus | undefined, ExportStatus>;
  format: ExportFormat;
  scope: ExportScope;
  /** `YYYY-MM-DD` (read back as text via `::text`). */
  start_date: ColumnType<string, string, string>;
  end_date: ColumnType<string, string, string>;
  progress: Generated<number>;
  row_count: Generated<number>;
  byte_count: Generated<number>;
  file_path: string | null;
  error: string | null;
  requested_by: string | null;
  created_at: ColumnType<Date, never, never>;
  finished_at: Date | null;
  expires_at: Date | null;
}

export type ReportFrequency = 'daily' | 'weekly' | 'monthly';

export interface ReportSchedulesTable {
  id: Generated<string>;
  org_id: string;
  name: string;
  frequency: ReportFrequency;
  /** 0 = Sunday; weekly only. */
  day_of_week: number | null;
  /** 1–28; monthly only. */
  day_of_month: number | null;
  /** `HH:MM` in `time_zone`. */
  time_of_day: string;
  time_zone: string;
  recipients: ColumnType<string[], string, string>;
  enabled: Generated<boolean>;
  next_run_at: Date;
  last_sent_at: Date | null;
  last_error: string | null;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface EfficiencyScoresTable {
  org_id: string;
  subject_type: 'user' | 'department';
  subject_id: string;
  day: ColumnType<string, string, string>;
  window_days: number;
  /** Null for a person with usage too thin to score (still stored, with its trend inputs). */
  score: number | null;
  components: ColumnType<Record<string, unknown>, string, string>;
  computed_at: ColumnType<Date, Date | undefined, Date>;
}

export type ModelTier = 'standard' | 'advanced' | 'premium';

export interface TierOverridesTable {
  org_id: string;
  user_id: string;
  tier: ModelTier;
  reason: string | null;
  set_by: string | null;
  created_at: ColumnType<Date, Date | undefined, Date>;
}

export interface ScorecardsTable {
  org_id: string;
  subject_type: 'employee' | 'team' | 'department';
  subject_id: string;
  day: ColumnType<string, string, string>;
  metrics: ColumnType<Record<string, unknown>, string, string>;
  computed_at: ColumnType<Date, Date | undefined, Date>;
}

export interface InsightSecretsTable {
  org_id: string;
  secret: Buffer;
  created_at: ColumnType<Date, never, never>;
}

export interface PartialDB {
  exports: ExportsTable;
  report_schedules: ReportSchedulesTable;
  efficiency_scores: EfficiencyScoresTable;
  tier_overrides: TierOverridesTable;
  scorecards: ScorecardsTable;
  insight_secrets: InsightSecretsTable;
}
