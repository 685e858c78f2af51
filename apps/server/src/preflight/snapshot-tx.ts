import { APP_ROLE, type Database, type Tx } from '@toktra/db';
import { sql } from 'kysely';

/**
 * Runs `fn` in a REPEATABLE READ tenant transaction: every statement sees the one snapshot taken
 * by its first query, so totals read from several tables (and the check of which just-published
 * events that snapshot already holds) agree with each other. Same role and tenant pinning as
 * `Database.withTenant`.
 */
export async function withTenantSnapshot<T>(
  db: Database,
  orgId: string,
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  const hooks: Array<() => void | Promise<void>> = [];
  const result = await db.kysely.transaction().execute(async (trx) => {
    await sql`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`.execute(trx);
    await sql`SET LOCAL ROLE ${sql.id(APP_ROLE)}`.execute(trx);
    await sql`SELECT set_config('app.org_id', ${orgId}, true)`.execute(trx);
    return fn({ db: trx, onCommit: (hook) => hooks.push(hook) });
  });
  for (const hook of hooks) await hook();
  return result;
}
