import type { ColumnType, Generated } from 'kysely';

export type ItsmKind = 'servicenow' | 'jira';

/** An org's ServiceNow or Jira connection; `credentials` is an encrypted JSON blob. */
export interface ItsmConnectorsTable {
  id: Generated<string>;
  org_id: string;
  kind: ItsmKind;
  name: string;
  base_url: string;
  credentials: string;
  project_key: string | null;
  issue_type: string | null;
  table_name: string | null;
  active: Generated<boolean>;
  last_tested_at: Date | null;
  last_test_ok: boolean | null;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

/** A ticket opened for an alert (one per alert and connector). */
export interface ItsmTicketsTable {
  id: Generated<string>;
  org_id: string;
  alert_id: string;
  connector_id: string;
  external_id: string;
  external_key: string;
  url: string;
  created_by: string | null;
  created_at: ColumnType<Date, never, never>;
}

export interface PartialDB {
  itsm_connectors: ItsmConnectorsTable;
  itsm_tickets: ItsmTicketsTable;
}
