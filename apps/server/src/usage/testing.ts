import type { ApiKeyScope } from '@toktra/db';
import { createTestDatabase, type TestDatabase } from '@toktra/db/testing';
import { createApiKey } from '../api-keys/service.js';
import { resolveConfig, type ServerOptions } from '../config.js';
import { type AppContext, createContext } from '../context.js';
import { createOrg } from '../orgs/service.js';

/** A context on a fresh test database (PGlite, or Postgres with TEST_DATABASE_URL). */
export async function createTestContext(
  options: ServerOptions = {},
): Promise<{ ctx: AppContext; handle: TestDatabase }> {
  const handle = await createTestDatabase();
  const ctx = createContext(resolveConfig({ logLevel: 'silent', ...options }, {}), handle.db);
  return { ctx, handle };
}

export interface SeededOrg {
  orgId: string;
  adminId: string;
  /** Engineering ⊃ Backend ⊃ Platform; Sales stands alone. */
  departments: { engineering: string; backend: string; platform: string; sales: string };
  users: { alice: string; bob: string; carol: string; dave: string };
  deviceId: string;
}

/**
 * An org with a small department tree, four users and one device owned by alice:
 * alice (backend, manager: carol), bob (platform), carol (engineering), dave (sales).
 */
export async function seedOrg(ctx: AppContext, name: string, timeZone = 'UTC'): Promise<SeededOrg> {
  const { orgId, adminUserId } = await createOrg(ctx.db, {
    name,
    adminEmail: `admin@${name}.test`,
    timeZone,
  });
  return ctx.db.withTenant(orgId, async ({ db }) => {
    const dept = async (deptName: string, parent: string | null) =>
      (
        await db
          .insertInto('departments')
          .values({ org_id: orgId, name: deptName, parent_id: parent })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const engineering = await dept('Engineering', null);
    const backend = await dept('Backend', engineering);
    const platform = await dept('Platform', backend);
    const sales = await dept('Sales', null);
    const user = async (userName: string, department: string, manager: string | null = null) =>
      (
        await db
          .insertInto('users')
          .values({
            org_id: orgId,
            email: `${userName}@${name}.test`,
            name: userName,
            department_id: department,
            manager_id: manager,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const carol = await user('carol', engineering);
    const alice = await user('alice', backend, carol);
    const bob = await user('bob', platform, carol);
    const dave = await user('dave', sales);
    const device = await db
      .insertInto('devices')
      .values({ org_id: orgId, hostname: `${name}-laptop`, owner_user_id: alice })
      .returning('id')
      .executeTakeFirstOrThrow();
    return {
      orgId,
      adminId: adminUserId,
      departments: { engineering, backend, platform, sales },
      users: { alice, bob, carol, dave },
      deviceId: device.id,
    };
  });
}

/** An API key of the org with the given scopes (created through the audited service). */
export async function createKey(ctx: AppContext, orgId: string, scopes: ApiKeyScope[]): Promise<string> {
  const { apiKey } = await createApiKey(ctx.db, orgId, { type: 'cli', id: null }, { name: 'test', scopes });
  return apiKey;
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
