import type { ColumnType, Generated } from 'kysely';

export const POLICY_STATUSES = ['draft', 'published', 'disabled'] as const;
export type PolicyStatus = (typeof POLICY_STATUSES)[number];

/** A governance policy; its content lives in `policy_versions`, `published_version` is what runs. */
export interface PoliciesTable {
  id: Generated<string>;
  org_id: string;
  status: Generated<PolicyStatus>;
  current_version: Generated<number>;
  published_version: number | null;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface PartialDB {
  policies: PoliciesTable;
}
