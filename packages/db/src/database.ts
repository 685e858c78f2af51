import { AppError } from '@toktra/core';
import { type Kysely, sql, type Transaction } from 'kysely';
import { APP_ROLE } from './rls.js';
import type { DB, Region } from './schema/index.js';

export type DatabaseKind = 'pglite' | 'postgres';
export type CommitHook = () => void | Promise<void>;

/** A transaction-bound handle: queries go through `db`; `onCommit` hooks run once it commits. */
export interface Tx {
  readonly db: Transaction<DB>;
  onCommit(hook: CommitHook): void;
}

/** Receives `NOTIFY` on a channel; `onConnect` runs after each (re)connection, to catch up. */
export interface NotifyHandlers {
  onNotify(payload: string): void;
  onConnect(): void;
}

/** Subscribes to a notification channel; resolves to the unsubscribe function. */
export type Listen = (channel: string, handlers: NotifyHandlers) => Promise<() => Promise<void>>;

export interface TenantTxOptions {
  /** One snapshot for every statement of the transaction (totals read from several tables agree). */
  snapshot?: boolean;
}

/**
 * The database every service receives: one store ({@link RegionStore}), or with data residency one
 * store per region behind a router (regions.ts). Tenant work goes through `withTenant`, which runs as
 * the non-owner app role with the org pinned for the transaction, so row-level security holds even
 * where a query forgets its `org_id` filter, and lands in the store of the org's region.
 */
export interface Database {
  readonly kind: DatabaseKind;
  withTenant<T>(orgId: string, fn: (tx: Tx) => Promise<T>, options?: TenantTxOptions): Promise<T>;
  /** Unscoped, in the home store: deployment-wide rows (the root CA) and sweeps of one store. */
  system<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Unscoped, in the store holding `orgId`: its queue rows, its CA, lookups by org before auth. */
  forOrg<T>(orgId: string, fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** The store new orgs of `region` are created in; refuses a region this server has no store for. */
  inRegion(region: Region): Promise<RegionStore>;
  /** Records in the control plane which region holds `orgId` (one store needs no record). */
  placeOrg(orgId: string, region: Region): Promise<void>;
  /** Every open store: cross-tenant lookups, sweeps and job runners visit each in turn. */
  stores(): readonly RegionStore[];
  close(): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function assertOrgId(orgId: string): void {
  if (!UUID.test(orgId)) throw new AppError('not_found', 'organization not found');
}

/** One PostgreSQL database (PGlite or a server): all of a deployment, or one region of it. */
export class RegionStore implements Database {
  constructor(
    readonly kysely: Kysely<DB>,
    readonly kind: DatabaseKind,
    private readonly closeDriver: () => Promise<void>,
    private readonly reportHookError: (error: unknown) => void = () => {},
    /** The region this store holds; undefined = every region (residency off). */
    readonly region?: Region,
    /** LISTEN on this store: a dedicated connection on a server, PGlite's own in one process. */
    readonly listen: Listen = async () => async () => {},
  ) {}

  withTenant<T>(orgId: string, fn: (tx: Tx) => Promise<T>, options: TenantTxOptions = {}): Promise<T> {
    try {
      assertOrgId(orgId);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.run(async (trx) => {
      if (options.snapshot) await sql`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`.execute(trx);
      await sql`SET LOCAL ROLE ${sql.id(APP_ROLE)}`.execute(trx);
      await sql`SELECT set_config('app.org_id', ${orgId}, true)`.execute(trx);
    }, fn);
  }

  system<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.run(async () => {}, fn);
  }

  forOrg<T>(_orgId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.system(fn);
  }

  async inRegion(region: Region): Promise<RegionStore> {
    if (this.region && this.region !== region)
      throw new AppError('validation_failed', `this server keeps no data in region "${region}"`);
    return this;
  }

  async placeOrg(): Promise<void> {}

  stores(): readonly RegionStore[] {
    return [this];
  }

  async close(): Promise<void> {
    await this.kysely.destroy();
    await this.closeDriver();
  }

  private async run<T>(prepare: (trx: Transaction<DB>) => Promise<void>, fn: (tx: Tx) => Promise<T>) {
    const hooks: CommitHook[] = [];
    const result = await this.kysely.transaction().execute(async (trx) => {
      await prepare(trx);
      return fn({ db: trx, onCommit: (hook) => hooks.push(hook) });
    });
    for (const hook of hooks) {
      try {
        await hook();
      } catch (error) {
        this.reportHookError(error);
      }
    }
    return result;
  }
}

/** A cross-tenant lookup (a secret, a Slack team): each store in turn, the first defined answer. */
export async function findInStores<T>(db: Database, fn: (tx: Tx) => Promise<T | undefined>) {
  for (const store of db.stores()) {
    const found = await store.system(fn);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** A cross-tenant list: the rows of every store, in store order. */
export async function collectFromStores<T>(db: Database, fn: (tx: Tx) => Promise<T[]>): Promise<T[]> {
  const all: T[] = [];
  for (const store of db.stores()) all.push(...(await store.system(fn)));
  return all;
}
