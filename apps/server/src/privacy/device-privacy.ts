import { AppError, type PrivacySettings } from '@toktra/core';
import type { Database } from '@toktra/db';
import { toSettings } from './service.js';

/**
 * What a device must enforce from the portal: for each local account the agent names, the Privacy
 * Hours of the person its usage would be attributed to (the device's own OS-user mapping, else the
 * org-wide one, else the device's owner — the same order as ingest's attribution), and under
 * `default` the owner's, for accounts the agent did not name. Nothing here says who the people are:
 * the device gets schedules keyed by its own account names, no user ids or emails.
 */
export interface DevicePrivacy {
  default: PrivacySettings | null;
  os_users: Record<string, PrivacySettings | null>;
}

export async function privacyForDevice(
  db: Database,
  orgId: string,
  deviceId: string,
  osUsers: readonly string[],
): Promise<DevicePrivacy> {
  const names = [...new Set(osUsers.map((u) => u.toLowerCase()))];
  return db.withTenant(orgId, async ({ db: q }) => {
    const device = await q
      .selectFrom('devices')
      .select('owner_user_id')
      .where('org_id', '=', orgId)
      .where('id', '=', deviceId)
      .executeTakeFirst();
    if (!device) throw new AppError('not_found', `device ${deviceId} not found`);
    const mappings =
      names.length === 0
        ? []
        : await q
            .selectFrom('os_user_mappings')
            .select(['os_user', 'user_id', 'device_id'])
            .where('org_id', '=', orgId)
            .where('os_user', 'in', names)
            .where((eb) => eb.or([eb('device_id', '=', deviceId), eb('device_id', 'is', null)]))
            .execute();
    const mapped = new Map<string, { user: string; own: boolean }>();
    for (const m of mappings) {
      const own = m.device_id !== null;
      if (own || !mapped.has(m.os_user)) mapped.set(m.os_user, { user: m.user_id, own });
    }
    const owner = device.owner_user_id;
    const userOf = new Map(names.map((n) => [n, mapped.get(n)?.user ?? owner]));
    const userIds = [...new Set([owner, ...userOf.values()].filter((u): u is string => u !== null))];
    const rows =
      userIds.length === 0
        ? []
        : await q
            .selectFrom('privacy_settings')
            .select(['user_id', 'time_zone', 'windows', 'paused_until', 'paused_indefinitely', 'updated_at'])
            .where('org_id', '=', orgId)
            .where('user_id', 'in', userIds)
            .execute();
    const settingsOf = new Map(rows.map((r) => [r.user_id, toSettings(r)]));
    const lookup = (user: string | null) => (user ? (settingsOf.get(user) ?? null) : null);
    return {
      default: lookup(owner),
      os_users: Object.fromEntries(names.map((n) => [n, lookup(userOf.get(n) ?? null)])),
    };
  });
}
