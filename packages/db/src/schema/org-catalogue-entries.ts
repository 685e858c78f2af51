import type { ColumnType, Generated } from 'kysely';

/** An org's own catalogue row; it wins over the built-in catalogue of packages/core. */
export interface OrgCatalogueEntriesTable {
  id: Generated<string>;
  org_id: string;
  host: string;
  match: 'exact' | 'suffix';
  provider: string;
  product: 'api' | 'chat-app' | 'coding-assistant';
  category: string;
  created_at: ColumnType<Date, never, never>;
}

export interface PartialDB {
  org_catalogue_entries: OrgCatalogueEntriesTable;
}
