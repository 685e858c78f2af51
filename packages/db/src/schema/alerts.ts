import type { ColumnType, Generated } from 'kysely';
import type { Severity } from './policy-versions.js';

export interface AlertsTable {
  id: Generated<string>;
  org_id: string;
  severity: Severity;
  status: Generated<'open' | 'acknowledged'>;
  title: string;
  body: string;
  /** What raised it: `policy`, `budget`, `webhook`, … and that thing's id. */
  source: string;
  source_id: string | null;
  user_id: string | null;
  department_id: string | null;
  details: ColumnType<Record<string, unknown>, string, never>;
  acknowledged_by: string | null;
  acknowledged_at: Date | null;
  created_at: ColumnType<Date, never, never>;
}

export interface PartialDB {
  alerts: AlertsTable;
}
