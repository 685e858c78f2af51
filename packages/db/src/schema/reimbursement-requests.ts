import type { ColumnType, Generated } from 'kysely';

export type ReimbursementStatus = 'submitted' | 'approved' | 'rejected';

/** Personal-usage reimbursement requests; approved ones feed the payroll CSV of their period. */
export interface ReimbursementRequestsTable {
  id: Generated<string>;
  org_id: string;
  user_id: string;
  /** numeric(12,2): comes back as a JS number. */
  amount: number;
  currency: string;
  /** `YYYY-MM`. */
  period: string;
  note: Generated<string>;
  approver_id: string | null;
  status: Generated<ReimbursementStatus>;
  decided_by: string | null;
  decided_at: Date | null;
  decision_note: string | null;
  exported_at: Date | null;
  /** The approver's Slack DM, updated when the request is decided. */
  slack_channel: string | null;
  slack_ts: string | null;
  created_at: ColumnType<Date, never, never>;
}

export interface PartialDB {
  reimbursement_requests: ReimbursementRequestsTable;
}
