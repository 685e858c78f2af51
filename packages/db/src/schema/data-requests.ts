import type { Generated } from 'kysely';

export const DATA_REQUEST_KINDS = ['access', 'erasure'] as const;
export type DataRequestKind = (typeof DATA_REQUEST_KINDS)[number];
export const DATA_REQUEST_REGIMES = ['gdpr', 'ccpa'] as const;
export type DataRequestRegime = (typeof DATA_REQUEST_REGIMES)[number];
export type DataRequestStatus = 'open' | 'completed' | 'rejected';

/**
 * A data subject request. Once an erasure runs, `subject_user_id` is cleared: the row keeps the
 * kind, regime, dates, outcome and a pseudonym (the id the subject's usage was moved to).
 */
export interface DataRequestsTable {
  id: Generated<string>;
  org_id: string;
  kind: DataRequestKind;
  regime: DataRequestRegime;
  status: Generated<DataRequestStatus>;
  outcome: string | null;
  subject_user_id: string | null;
  subject_pseudonym: Generated<string>;
  submitted_at: Generated<Date>;
  due_at: Date;
  completed_at: Date | null;
  /** Which reminders went out: `7d`, `2d`, `overdue`. */
  reminders_sent: Generated<string[]>;
  /** Files of a fulfilled access request (CSV and JSON), deleted when they expire. */
  export_paths: Generated<string[]>;
  export_expires_at: Date | null;
}

export interface PartialDB {
  data_requests: DataRequestsTable;
}
