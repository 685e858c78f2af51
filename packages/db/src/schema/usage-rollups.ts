import type { ColumnType } from 'kysely';

/** Sums shared by both rollups; every column is added to on upsert, never overwritten. */
export interface UsageSums {
  events: number;
  bytes_up: number;
  bytes_down: number;
  duration_ms: number;
  est_input_tokens: number;
  est_output_tokens: number;
  /** The part of the totals a source reported itself (token_method `reported`). */
  reported_input_tokens: number;
  reported_output_tokens: number;
}

interface RollupKey<Bucket> {
  org_id: string;
  bucket: Bucket;
  user_id: string | null;
  department_id: string | null;
  provider: string;
  model: string | null;
  category: string;
  source: string;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

/** Bucket = the UTC hour. */
export type UsageHourlyTable = RollupKey<Date> & UsageSums;

/** Bucket = the calendar day in the org's time zone, as `YYYY-MM-DD`. */
export type UsageDailyTable = RollupKey<ColumnType<string, string, string>> & UsageSums;

/** The org's day × provider × model × category × source (no people): org-wide answers. */
export type UsageDailyOrgTable = Omit<UsageDailyTable, 'user_id' | 'department_id'>;

/** One row per person and department per day: per-person and per-department answers. */
export type UsageDailyPeopleTable = Omit<UsageDailyTable, 'provider' | 'model' | 'category' | 'source'>;

export interface PartialDB {
  usage_hourly: UsageHourlyTable;
  usage_daily: UsageDailyTable;
  usage_daily_org: UsageDailyOrgTable;
  usage_daily_people: UsageDailyPeopleTable;
}
