import type { ColumnType, Generated } from 'kysely';
import type { Severity } from './policy-versions.js';

export const INCIDENT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export interface IncidentsTable {
  id: Generated<string>;
  org_id: string;
  title: string;
  severity: Severity;
  status: Generated<IncidentStatus>;
  assignee_id: string | null;
  user_id: string | null;
  policy_id: string | null;
  firing_id: string | null;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
  resolved_at: Date | null;
}

export interface PartialDB {
  incidents: IncidentsTable;
}
