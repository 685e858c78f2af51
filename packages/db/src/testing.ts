import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { type DatabaseTarget, openDatabase } from './connect.js';
import type { Database, RegionStore } from './database.js';
import { migrateToLatest } from './migrate.js';
import { RegionRouter } from './regions.js';
import type { Region } from './schema/index.js';

export interface TestDatabase {
  db: RegionStore;
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
  const empty = await createEmptyPostgresDatabase(adminUrl);
  const db = await openDatabase({ url: empty.url });
  if (options.migrate !== false) await migrateToLatest(db.kysely);
  return {
    db,
    target: { url: empty.url },
    drop: async () => {
      await db.close();
      await empty.drop();
    },
  };
}

/** A new, empty database on the PostgreSQL server at `adminUrl`, and how to drop it. */
export async function createEmptyPostgresDatabase(adminUrl: string) {
  const name = `toktra_test_${randomBytes(6).toString('hex')}`;
  await runAdmin(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => runAdmin(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

export interface TestResidency {
  db: RegionRouter;
  /** The region databases and the control plane, to open directly (Postgres) or to reuse. */
  targets: { control: DatabaseTarget; regions: Partial<Record<Region, DatabaseTarget>> };
  drop(): Promise<void>;
}

/**
 * Data residency for a test: a control plane and one database per region (in-memory PGlite, or
 * new databases on TEST_DATABASE_URL), routed by a RegionRouter whose home is the first region.
 */
export async function createTestResidency(regions: readonly [Region, ...Region[]]): Promise<TestResidency> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  const drops: Array<() => Promise<void>> = [];
  const target = async (): Promise<DatabaseTarget> => {
    if (!adminUrl) return { memory: true };
    const empty = await createEmptyPostgresDatabase(adminUrl);
    drops.push(empty.drop);
    return { url: empty.url };
  };
  const targets = { control: await target(), regions: {} as Partial<Record<Region, DatabaseTarget>> };
  for (const region of regions) targets.regions[region] = await target();
  const db = await RegionRouter.open({ ...targets, home: regions[0], openAtStart: regions });
  return {
    db,
    targets,
    drop: async () => {
      await db.close();
      for (const drop of drops) await drop();
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

export interface DumpedRow {
  /** The store's region (undefined = a store holding every region). */
  region: string | undefined;
  table: string;
  row: string;
}

/** The names of every table in a store's public schema. */
export async function listTables(store: RegionStore): Promise<string[]> {
  const { rows } = await sql<{ tablename: string }>`
    SELECT tablename FROM pg_tables WHERE schemaname = 'public'`.execute(store.kysely);
  return rows.map((r) => r.tablename);
}

/**
 * Every row of every table of every store, as text: for tests that must prove a value (a secret,
 * an erased person, an EU org's id) appears nowhere it must not.
 */
export async function dumpTables(db: Database): Promise<DumpedRow[]> {
  const out: DumpedRow[] = [];
  for (const store of db.stores()) {
    for (const tablename of await listTables(store)) {
      const rows = await sql<{ row: string }>`
        SELECT t::text AS row FROM ${sql.table(tablename)} t`.execute(store.kysely);
      for (const { row } of rows.rows) out.push({ region: store.region, table: tablename, row });
    }
  }
  return out;
}
