/** Shapes of `GET /v1/shadow-ai` and `GET /v1/calibration` (apps/server/src/http/v1/{shadow-ai,calibration}). */
export interface Band {
  lower: number;
  upper: number;
}

export interface DimensionUsage {
  project_id: string | null;
  workspace_id: string | null;
  api_key_id: string | null;
  model: string | null;
  input_tokens: number;
  output_tokens: number;
}

export interface ShadowAiDay {
  provider: string;
  date: string;
  reconciled_input_tokens: number | null;
  reconciled_output_tokens: number | null;
  observed_input_tokens: number;
  observed_output_tokens: number;
  gap_tokens: number | null;
  band: Band | null;
  significant: boolean;
  calibrated: boolean;
  by_dimension: DimensionUsage[];
}

export interface ShadowAiTotal {
  provider: string;
  state: 'not_synced' | 'unhealthy' | 'no_data' | 'ok';
  last_synced_at: string | null;
  last_error: string | null;
  days_with_data: number;
  reconciled_tokens: number;
  observed_tokens: number;
  gap_tokens: number;
  band: Band;
  significant: boolean;
}

export interface ShadowAiResponse {
  start_date: string;
  end_date: string;
  data: ShadowAiDay[];
  totals: ShadowAiTotal[];
}

interface Mape {
  mape_before: number | null;
  mape_after: number | null;
}

export interface CalibrationRow {
  provider: string;
  calibrated: boolean;
  fitted_at: string | null;
  window: { start_date: string; end_date: string } | null;
  windows_used: number;
  windows_excluded: number;
  error: { input: Mape; output: Mape };
  readiness: {
    reason: string | null;
    windows: { days: number; hours: number };
    required: { days: number; hours: number };
  };
}
