import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase } from './connect.js';
import type { Database } from './database.js';
import { migrateToLatest } from './migrate.js';

export interface TestDatabase {
  db: Database;
  /** How to reach the same database again (a fresh PGlite cannot be reopened; Postgres can). */
  target: { url: string } | { memory: true };
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or a new database on
 * the PostgreSQL server named by TEST_DATABASE_URL, dropped afterwards.
 */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const db = await openDatabase({ memory: true });
    if (options.migrate !== false) await migrateToLatest(db.kysely);
    return { db, target: { memory: true }, drop: () => db.close() };
  }
  const name = `toktra_test_${randomBytes(6).toString('hex')}`;
  await runAdmin(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString() });
  if (options.migrate !== false) await migrateToLatest(db.kysely);
  return {
    db,
    target: { url: url.toString() },
    drop: async () => {
      await db.close();
      await runAdmin(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

async function runAdmin(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
