import type { ColumnType, Generated } from 'kysely';
import type { Severity } from './policy-versions.js';

/** A signal of possible IP leakage (e.g. a GitHub repository made public), with a level. */
export interface RiskEventsTable {
  id: Generated<string>;
  org_id: string;
  source: string;
  kind: string;
  level: Severity;
  occurred_at: Date;
  user_id: string | null;
  department_id: string | null;
  external_login: string | null;
  repository: string | null;
  /** The sender's delivery id (GitHub `X-GitHub-Delivery`): a redelivery stores nothing new. */
  delivery_id: string | null;
  details: ColumnType<Record<string, unknown>, string, never>;
  created_at: ColumnType<Date, never, never>;
}

export interface PartialDB {
  risk_events: RiskEventsTable;
}
