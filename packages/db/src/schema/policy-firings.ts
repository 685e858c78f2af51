import type { ColumnType, Generated } from 'kysely';

/** A policy firing; unique per (policy, dedupe key) so one condition fires once per period. */
export interface PolicyFiringsTable {
  id: Generated<string>;
  org_id: string;
  policy_id: string;
  version: number;
  trigger_type: string;
  dedupe_key: string;
  subject: ColumnType<Record<string, unknown>, string, never>;
  fired_at: ColumnType<Date, Date | undefined, never>;
}

export interface PartialDB {
  policy_firings: PolicyFiringsTable;
}
