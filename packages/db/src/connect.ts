import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { AppError } from '@toktra/core';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { type Listen, type NotifyHandlers, RegionStore } from './database.js';
import { PGliteDialect } from './pglite-dialect.js';
import type { DB, Region } from './schema/index.js';

export type DatabaseTarget = { url: string } | { dataDir: string } | { memory: true };

export interface OpenDatabaseOptions {
  poolSize?: number;
  onHookError?: (error: unknown) => void;
  /** The region this database holds (data residency); unset = every region. */
  region?: Region;
}

const INT8 = 20;
const NUMERIC = 1700;

/** Opens PGlite (a data dir, or in memory) or a PostgreSQL server, and checks it answers. */
export async function openDatabase(
  target: DatabaseTarget,
  options: OpenDatabaseOptions = {},
): Promise<RegionStore> {
  return 'url' in target ? openPostgres(target.url, options) : openPGlite(target, options);
}

async function openPGlite(target: { dataDir: string } | { memory: true }, options: OpenDatabaseOptions) {
  if ('dataDir' in target) mkdirSync(target.dataDir, { recursive: true });
  const pglite = await PGlite.create('dataDir' in target ? target.dataDir : undefined, {
    // Sums of token counts are bigint; they fit a double for any realistic org.
    parsers: { [INT8]: Number, [NUMERIC]: Number },
  });
  const kysely = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  const listen: Listen = async (channel, handlers) => {
    const unlisten = await pglite.listen(channel, (payload) => handlers.onNotify(payload));
    handlers.onConnect();
    return unlisten;
  };
  return new RegionStore(kysely, 'pglite', () => pglite.close(), options.onHookError, options.region, listen);
}

async function openPostgres(url: string, options: OpenDatabaseOptions) {
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      oid === INT8 || oid === NUMERIC ? Number : pg.types.getTypeParser(oid, format),
  };
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, types });
  pool.on('error', () => {}); // idle-client errors surface on the next query instead
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end();
    throw describeConnectError(url, error);
  }
  const kysely = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return new RegionStore(
    kysely,
    'postgres',
    async () => {},
    options.onHookError,
    options.region,
    (channel, handlers) => listenPostgres(url, channel, handlers),
  );
}

const RECONNECT_MS = 500;

/**
 * LISTEN on a dedicated connection (a pooled one would be recycled), reconnecting after an error
 * every RECONNECT_MS; `onConnect` after each connection lets the caller catch up on what it missed.
 */
async function listenPostgres(url: string, channel: string, handlers: NotifyHandlers) {
  let client: pg.Client | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: url });
    client = next;
    next.on('notification', (m) => handlers.onNotify(m.payload ?? ''));
    next.on('error', () => retry(next));
    next.on('end', () => retry(next));
    await next.connect();
    await next.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    handlers.onConnect();
  };
  const retry = (failed: pg.Client) => {
    if (closed || client !== failed || timer) return;
    client = undefined;
    void failed.end().catch(() => {});
    timer = setTimeout(() => {
      timer = undefined;
      if (!closed) connect().catch(() => retry(client ?? failed));
    }, RECONNECT_MS);
    timer.unref();
  };
  await connect();
  return async () => {
    closed = true;
    clearTimeout(timer);
    await client?.end().catch(() => {});
  };
}

export function describeConnectError(url: string, error: unknown): AppError {
  let where = 'the database';
  try {
    const parsed = new URL(url);
    where = `PostgreSQL at ${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
  } catch {
    return new AppError('bad_request', 'the database URL is not a valid postgres:// URL');
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new AppError('database_unavailable', `cannot connect to ${where}: ${reason}`, undefined, {
    cause: error,
  });
}
