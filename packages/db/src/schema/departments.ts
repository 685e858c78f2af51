import type { ColumnType, Generated } from 'kysely';

export interface DepartmentsTable {
  id: Generated<string>;
  org_id: string;
  parent_id: string | null;
  name: string;
  created_at: ColumnType<Date, never, never>;
}

export interface PartialDB {
  departments: DepartmentsTable;
}
