import { type Kysely, Migrator } from 'kysely';
import { migrations } from './migrations/index.js';
import type { DB } from './schema/index.js';

/** Brings the schema up to date; a no-op when it already is. Throws on the first failure. */
export async function migrateToLatest(db: Kysely<DB>): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    // Features land in parallel, so a migration may sort before one a database already ran;
    // each creates only its own tables, so running it late is safe.
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
