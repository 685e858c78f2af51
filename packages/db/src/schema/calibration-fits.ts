import type { ColumnType, Generated } from 'kysely';

/** A fitted ratio as stored (`Ratio` of @toktra/core). */
export type StoredRatio = { overheadBytes: number; bytesPerToken: number };

/** One calibration run per org and provider; the newest row with a ratio is in force. */
export interface CalibrationFitsTable {
  id: Generated<string>;
  org_id: string;
  provider: string;
  fitted_at: ColumnType<Date, Date | undefined, never>;
  /** UTC days covered, `YYYY-MM-DD`, inclusive. */
  window_start: ColumnType<string, string, never>;
  window_end: ColumnType<string, string, never>;
  windows_used: number;
  /** Days left out as outliers (most often: shadow usage the agents could not see). */
  windows_excluded: number;
  up_ratio: ColumnType<StoredRatio | null, string | null, never>;
  down_ratio: ColumnType<StoredRatio | null, string | null, never>;
  /** Relative RMS error of the fitted daily estimate (the Shadow AI band's σ). */
  up_rel_sigma: number | null;
  down_rel_sigma: number | null;
  mape_before_input: number | null;
  mape_after_input: number | null;
  mape_before_output: number | null;
  mape_after_output: number | null;
}

export interface PartialDB {
  calibration_fits: CalibrationFitsTable;
}
