import { type Kysely, sql } from 'kysely';

/** The role tenant transactions run as. It owns nothing, so row-level security always applies. */
export const APP_ROLE = 'toktra_app';

type Privilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';

export async function createAppRole(db: Kysely<unknown>): Promise<void> {
  // Roles are cluster-wide: parallel test databases may race to create it, hence both handlers.
  await sql`
    DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${sql.lit(APP_ROLE)}) THEN
        CREATE ROLE ${sql.id(APP_ROLE)} NOLOGIN;
      END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END $$`.execute(db);
}

/**
 * Puts a tenant table under row-level security: rows are visible and writable only when their
 * `column` equals the transaction's `app.org_id`. With no tenant set, nothing is visible.
 */
export async function enableTenantRls(
  db: Kysely<unknown>,
  table: string,
  options: { column?: string; privileges?: Privilege[] } = {},
): Promise<void> {
  const column = options.column ?? 'org_id';
  const privileges = options.privileges ?? ['SELECT', 'INSERT', 'UPDATE', 'DELETE'];
  const tenant = sql`nullif(current_setting('app.org_id', true), '')::uuid`;
  await sql`ALTER TABLE ${sql.table(table)} ENABLE ROW LEVEL SECURITY`.execute(db);
  await sql`ALTER TABLE ${sql.table(table)} FORCE ROW LEVEL SECURITY`.execute(db);
  await sql`CREATE POLICY tenant_isolation ON ${sql.table(table)}
    USING (${sql.ref(column)} = ${tenant}) WITH CHECK (${sql.ref(column)} = ${tenant})`.execute(db);
  await sql`GRANT ${sql.raw(privileges.join(', '))} ON ${sql.table(table)} TO ${sql.id(APP_ROLE)}`.execute(
    db,
  );
}
