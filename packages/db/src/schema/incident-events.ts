import type { ColumnType, Generated } from 'kysely';

/** An incident's timeline: created, status changes, assignments, comments (append-only). */
export interface IncidentEventsTable {
  id: Generated<string>;
  org_id: string;
  incident_id: string;
  at: ColumnType<Date, never, never>;
  actor_type: string;
  actor_id: string | null;
  kind: string;
  details: ColumnType<Record<string, unknown>, string, never>;
}

export interface PartialDB {
  incident_events: IncidentEventsTable;
}
