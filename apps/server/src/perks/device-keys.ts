import { AppError } from '@toktra/core';
import type { Tx } from '@toktra/db';
import type { AppContext } from '../context.js';

export interface DeviceKey {
  enrollment_id: string;
  public_key: string;
}

export interface DeviceKeys {
  /** The key for events of an OS account no mapping names: the device owner's, if they opted in. */
  default: DeviceKey | null;
  /** Mapped OS accounts among those asked about; null = mapped to someone who has not opted in. */
  by_os_user: Record<string, DeviceKey | null>;
}

/**
 * Who a device's events belong to, the same rule as corporate attribution (usage/enrich.ts): an
 * OS account mapped on this device, else mapped org-wide, else the device owner. Returns user ids.
 */
async function attributedUsers(tx: Tx, orgId: string, deviceId: string, osUsers: readonly string[]) {
  const device = await tx.db
    .selectFrom('devices')
    .select(['owner_user_id', 'status'])
    .where('org_id', '=', orgId)
    .where('id', '=', deviceId)
    .executeTakeFirst();
  if (!device) throw new AppError('not_found', `device ${deviceId} not found`);
  if (device.status === 'revoked') throw new AppError('forbidden', 'this device has been revoked');
  const mapped = new Map<string, { user: string; own: boolean }>();
  if (osUsers.length > 0) {
    const rows = await tx.db
      .selectFrom('os_user_mappings')
      .select(['os_user', 'user_id', 'device_id'])
      .where('org_id', '=', orgId)
      .where('os_user', 'in', osUsers)
      .where((eb) => eb.or([eb('device_id', '=', deviceId), eb('device_id', 'is', null)]))
      .execute();
    for (const row of rows) {
      const own = row.device_id !== null;
      if (own || !mapped.has(row.os_user)) mapped.set(row.os_user, { user: row.user_id, own });
    }
  }
  return { owner: device.owner_user_id, mapped };
}

async function keysOf(tx: Tx, orgId: string, userIds: string[]): Promise<Map<string, DeviceKey>> {
  if (userIds.length === 0) return new Map();
  const rows = await tx.db
    .selectFrom('perk_enrollments')
    .select(['id', 'user_id', 'public_key'])
    .where('org_id', '=', orgId)
    .where('user_id', 'in', userIds)
    .execute();
  return new Map(rows.map((r) => [r.user_id, { enrollment_id: r.id, public_key: r.public_key }]));
}

/** The public keys a device seals personal events to, for the OS accounts it has events of. */
export async function keysForDevice(
  ctx: AppContext,
  orgId: string,
  deviceId: string,
  osUsers: readonly string[],
): Promise<DeviceKeys> {
  const wanted = [...new Set(osUsers.map((u) => u.toLowerCase()))];
  return ctx.db.withTenant(orgId, async (tx) => {
    const { owner, mapped } = await attributedUsers(tx, orgId, deviceId, wanted);
    const users = [...new Set([owner, ...[...mapped.values()].map((m) => m.user)])].filter(
      (u): u is string => !!u,
    );
    const keys = await keysOf(tx, orgId, users);
    const byOsUser: Record<string, DeviceKey | null> = {};
    for (const [osUser, m] of mapped) byOsUser[osUser] = keys.get(m.user) ?? null;
    return { default: (owner && keys.get(owner)) || null, by_os_user: byOsUser };
  });
}

/**
 * The enrollments this device may write to: those of the users its events can be attributed to
 * (its owner, and the users of OS-account mappings that apply to it). Anything else is a 404.
 */
export async function writableEnrollments(tx: Tx, orgId: string, deviceId: string): Promise<Set<string>> {
  const device = await tx.db
    .selectFrom('devices')
    .select(['owner_user_id', 'status'])
    .where('org_id', '=', orgId)
    .where('id', '=', deviceId)
    .executeTakeFirst();
  if (!device) throw new AppError('not_found', `device ${deviceId} not found`);
  if (device.status === 'revoked') throw new AppError('forbidden', 'this device has been revoked');
  const rows = await tx.db
    .selectFrom('perk_enrollments as e')
    .select('e.id')
    .where('e.org_id', '=', orgId)
    .where((eb) => {
      const mappedHere = eb.exists(
        eb
          .selectFrom('os_user_mappings as m')
          .select('m.id')
          .where('m.org_id', '=', orgId)
          .whereRef('m.user_id', '=', 'e.user_id')
          .where((m) => m.or([m('m.device_id', '=', deviceId), m('m.device_id', 'is', null)])),
      );
      return device.owner_user_id
        ? eb.or([eb('e.user_id', '=', device.owner_user_id), mappedHere])
        : mappedHere;
    })
    .execute();
  return new Set(rows.map((r) => r.id));
}
