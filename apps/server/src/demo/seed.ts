import { hash } from '@node-rs/argon2';
import type { AppContext } from '../context.js';
import { createOrg } from '../orgs/service.js';

export const DEMO_ORG_NAME = 'Acme Demo';
export const DEMO_ADMIN_EMAIL = 'admin@acme.example';
export const DEMO_ADMIN_PASSWORD = 'toktra-demo';

/** Seeds the demo org once; later starts find it and do nothing. */
export async function seedDemoOrg(ctx: AppContext): Promise<{ orgId: string; created: boolean }> {
  const existing = await ctx.db.system(({ db }) =>
    db.selectFrom('orgs').select('id').where('name', '=', DEMO_ORG_NAME).executeTakeFirst(),
  );
  if (existing) return { orgId: existing.id, created: false };
  const { orgId, adminUserId } = await createOrg(ctx.db, {
    name: DEMO_ORG_NAME,
    adminEmail: DEMO_ADMIN_EMAIL,
    adminName: 'Ada Admin',
    timeZone: 'Europe/Berlin',
    region: 'eu',
  });
  // A well-known password is fine for a local demo only; real orgs get a random one-time password.
  const passwordHash = await hash(DEMO_ADMIN_PASSWORD);
  await ctx.db.withTenant(orgId, async ({ db }) => {
    await db
      .updateTable('users')
      .set({ password_hash: passwordHash })
      .where('id', '=', adminUserId)
      .execute();
    const engineering = await db
      .insertInto('departments')
      .values({ org_id: orgId, name: 'Engineering' })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const name of ['Backend', 'Frontend', 'Data']) {
      await db.insertInto('departments').values({ org_id: orgId, name, parent_id: engineering.id }).execute();
    }
    for (const name of ['Sales', 'Finance', 'Legal']) {
      await db.insertInto('departments').values({ org_id: orgId, name }).execute();
    }
  });
  return { orgId, created: true };
}
