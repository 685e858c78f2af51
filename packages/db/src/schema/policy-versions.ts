import type { ColumnType } from 'kysely';

export type Severity = 'low' | 'medium' | 'high' | 'critical';

type Json<T> = ColumnType<T, string, never>;

/** One immutable version of a policy: trigger, condition tree and actions as JSON data. */
export interface PolicyVersionsTable {
  org_id: string;
  policy_id: string;
  version: number;
  name: string;
  description: string;
  severity: Severity;
  trigger: Json<unknown>;
  conditions: Json<unknown>;
  actions: Json<unknown>;
  created_at: ColumnType<Date, never, never>;
  created_by: string | null;
}

export interface PartialDB {
  policy_versions: PolicyVersionsTable;
}
