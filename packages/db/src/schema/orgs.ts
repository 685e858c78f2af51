import type { ColumnType, Generated } from 'kysely';

export const REGIONS = ['us', 'eu', 'au', 'ca'] as const;
export type Region = (typeof REGIONS)[number];

export interface OrgsTable {
  id: Generated<string>;
  name: string;
  time_zone: Generated<string>;
  region: Generated<Region>;
  retention_days: Generated<number>;
  settings: Generated<Record<string, unknown>>;
  created_at: ColumnType<Date, never, never>;
}

export interface PartialDB {
  orgs: OrgsTable;
}
