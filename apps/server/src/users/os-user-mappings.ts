import { AppError, isUuid } from '@toktra/core';
import type { Database } from '@toktra/db';
import { sql } from 'kysely';
import { type Actor, appendAudit } from '../audit/service.js';
import { assertUser } from './service.js';

export interface OsUserMappingView {
  id: string;
  device_id: string | null;
  os_user: string;
  user_id: string;
}

/**
 * Maps an OS account name to an org user, on one device or org-wide (`deviceId` omitted). Ingest
 * prefers the device's mapping, then the org-wide one, then the device owner. OS names compare
 * case-insensitively (Windows accounts do). Setting an existing mapping again replaces its user.
 */
export async function setOsUserMapping(
  db: Database,
  orgId: string,
  actor: Actor,
  input: { osUser: string; userId: string; deviceId?: string | null },
): Promise<OsUserMappingView> {
  const osUser = input.osUser.trim().toLowerCase();
  const deviceId = input.deviceId ?? null;
  return db.withTenant(orgId, async (tx) => {
    await assertUser(tx, orgId, input.userId);
    if (deviceId) {
      if (!isUuid(deviceId)) throw new AppError('not_found', `device ${deviceId} not found`);
      const device = await tx.db
        .selectFrom('devices')
        .select('id')
        .where('org_id', '=', orgId)
        .where('id', '=', deviceId)
        .executeTakeFirst();
      if (!device) throw new AppError('not_found', `device ${deviceId} not found`);
    }
    const row = await tx.db
      .insertInto('os_user_mappings')
      .values({ org_id: orgId, device_id: deviceId, os_user: osUser, user_id: input.userId })
      .onConflict((oc) =>
        oc
          .columns(['org_id', 'device_id', 'os_user'])
          .doUpdateSet({ user_id: input.userId, updated_at: sql<Date>`now()` }),
      )
      .returning(['id', 'device_id', 'os_user', 'user_id'])
      .executeTakeFirstOrThrow();
    await appendAudit(tx, orgId, actor, {
      action: 'os_user_mapping.set',
      targetType: 'os_user_mapping',
      targetId: row.id,
      details: { device_id: deviceId, os_user: osUser, user_id: input.userId },
    });
    return row;
  });
}

/** Every mapping of the org, org-wide ones first, then by OS name. */
export async function listOsUserMappings(db: Database, orgId: string): Promise<OsUserMappingView[]> {
  return db.withTenant(orgId, ({ db: trx }) =>
    trx
      .selectFrom('os_user_mappings')
      .select(['id', 'device_id', 'os_user', 'user_id'])
      .where('org_id', '=', orgId)
      .orderBy(sql`device_id is not null`)
      .orderBy('os_user')
      .limit(5000)
      .execute(),
  );
}
