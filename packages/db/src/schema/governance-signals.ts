import type { ColumnType, Generated } from 'kysely';

/** Budget-threshold and shadow-AI notices as received, so policies on them can be tested on history. */
export interface GovernanceSignalsTable {
  id: Generated<string>;
  org_id: string;
  kind: string;
  occurred_at: Date;
  payload: ColumnType<Record<string, unknown>, string, never>;
}

export interface PartialDB {
  governance_signals: GovernanceSignalsTable;
}
