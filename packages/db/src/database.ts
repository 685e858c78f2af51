import { AppError } from '@toktra/core';
import { type Kysely, sql, type Transaction } from 'kysely';
import { APP_ROLE } from './rls.js';
import type { DB } from './schema/index.js';

export type DatabaseKind = 'pglite' | 'postgres';
export type CommitHook = () => void | Promise<void>;

/** A transaction-bound handle: queries go through `db`; `onCommit` hooks run once it commits. */
export interface Tx {
  readonly db: Transaction<DB>;
  onCommit(hook: CommitHook): void;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The database handle every service receives. Tenant work goes through `withTenant`, which runs
 * as the non-owner app role with the org pinned for the transaction, so row-level security holds
 * even where a query forgets its `org_id` filter. `system` is for the few cross-tenant paths
 * (migrations, creating orgs, resolving an API key or certificate to its org).
 */
export class Database {
  constructor(
    readonly kysely: Kysely<DB>,
    readonly kind: DatabaseKind,
    private readonly closeDriver: () => Promise<void>,
    private readonly reportHookError: (error: unknown) => void = () => {},
  ) {}

  withTenant<T>(orgId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
    if (!UUID.test(orgId)) return Promise.reject(new AppError('not_found', 'organization not found'));
    return this.run(async (trx) => {
      await sql`SET LOCAL ROLE ${sql.id(APP_ROLE)}`.execute(trx);
      await sql`SELECT set_config('app.org_id', ${orgId}, true)`.execute(trx);
    }, fn);
  }

  system<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.run(async () => {}, fn);
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
