import { hash } from '@node-rs/argon2';
import { findInStores } from '@toktra/db';
import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import { createOrg, hasResidency } from '../orgs/service.js';
import { createDemoDevices } from './devices.js';
import { type DemoGovernanceStats, seedDemoGovernance } from './governance.js';
import { createDemoPeople } from './people.js';
import { createRandom } from './random.js';
import { seedDemoUsage } from './usage.js';

export const DEMO_ORG_NAME = 'Acme Demo';
export const DEMO_ADMIN_EMAIL = 'admin@acme.example';
export const DEMO_ADMIN_PASSWORD = 'toktra-demo';
/** Also signed in with DEMO_ADMIN_PASSWORD: a manager (Backend) and an employee of the demo org. */
export const DEMO_MANAGER_EMAIL = 'manager@acme.example';
export const DEMO_EMPLOYEE_EMAIL = 'employee@acme.example';
const DEMO_TIME_ZONE = 'Europe/Berlin';

export interface DemoSeedResult {
  orgId: string;
  created: boolean;
  stats?: {
    users: number;
    devices: number;
    rollupRows: number;
    events: number;
    governance: DemoGovernanceStats;
    ms: number;
  };
}

/**
 * Seeds the demo org once; later starts find it and do nothing. The people, devices and 90 days
 * of usage are written in one transaction (rollups in bulk, not event by event), so a crash
 * leaves no half-seeded org: the next start finds the org unmarked and seeds it then.
 * `scale` (benchmarks, bench/dashboard) multiplies the people and so their usage.
 */
export async function seedDemoOrg(
  ctx: AppContext,
  now = new Date(),
  options: { scale?: number } = {},
): Promise<DemoSeedResult> {
  const started = performance.now();
  const existing = await findInStores(ctx.db, ({ db }) =>
    db.selectFrom('orgs').select(['id', 'settings']).where('name', '=', DEMO_ORG_NAME).executeTakeFirst(),
  );
  if (existing?.settings.demo_seeded) return { orgId: existing.id, created: false };
  let orgId = existing?.id;
  let adminUserId: string | undefined;
  if (!orgId) {
    const created = await createOrg(ctx.db, {
      name: DEMO_ORG_NAME,
      adminEmail: DEMO_ADMIN_EMAIL,
      adminName: 'Ada Admin',
      timeZone: DEMO_TIME_ZONE,
      // The demo lives in the EU store where residency is on; with one database it has no region.
      ...(hasResidency(ctx.db) ? { region: 'eu' as const } : {}),
    });
    orgId = created.orgId;
    adminUserId = created.adminUserId;
  }
  const tenant = orgId;
  // A well-known password is fine for a local demo only; real orgs get a random one-time password.
  const passwordHash = await hash(DEMO_ADMIN_PASSWORD);
  const random = createRandom(20261121);
  const stats = await ctx.db.withTenant(tenant, async (tx) => {
    const admin = await tx.db
      .updateTable('users')
      .set({ password_hash: passwordHash })
      .where('org_id', '=', tenant)
      .where(adminUserId ? 'id' : 'email', '=', adminUserId ?? DEMO_ADMIN_EMAIL)
      .returning(['id', 'email', 'name', 'role'])
      .executeTakeFirstOrThrow();
    const people = await createDemoPeople(tx, tenant, random, passwordHash, options.scale);
    const everyone = [
      {
        id: admin.id,
        email: admin.email,
        name: admin.name,
        role: admin.role,
        departmentId: null,
        division: 'Engineering',
      },
      ...people.users,
    ];
    const devices = await createDemoDevices(tx, tenant, everyone, random, now);
    const usage = await seedDemoUsage(tx, tenant, DEMO_TIME_ZONE, everyone, devices, random, now);
    const governance = await seedDemoGovernance(
      ctx,
      tx,
      tenant,
      DEMO_TIME_ZONE,
      people.departmentIds,
      admin.id,
      now,
    );
    await tx.db
      .updateTable('orgs')
      .set({ settings: sql`settings || '{"demo_seeded": true}'::jsonb` })
      .where('id', '=', tenant)
      .execute();
    return { users: everyone.length, devices: devices.size, ...usage, governance };
  });
  return { orgId: tenant, created: true, stats: { ...stats, ms: Math.round(performance.now() - started) } };
}
