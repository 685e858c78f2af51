import type { PrivacyState, Tx } from '@toktra/db';
import type { DemoUser } from './people.js';
import type { Random } from './random.js';

const OSES = [
  ['macOS 15.3', 0.55],
  ['Windows 11', 0.33],
  ['Ubuntu 24.04', 0.12],
] as const;

function pickOs(random: Random): string {
  let roll = random.next();
  for (const [os, share] of OSES) {
    roll -= share;
    if (roll <= 0) return os;
  }
  return 'macOS 15.3';
}

/**
 * One laptop per person (a few have two): most agents reported in the last minutes, some are
 * stale, two were revoked. Returns each user's primary device.
 */
export async function createDemoDevices(
  tx: Tx,
  orgId: string,
  users: DemoUser[],
  random: Random,
  now = new Date(),
): Promise<Map<string, string>> {
  const rows = users.flatMap((user, index) => {
    const count = random.chance(0.08) ? 2 : 1;
    return Array.from({ length: count }, (_, n) => {
      const os = pickOs(random);
      const handle = user.email.split('@')[0]?.replace(/\W/g, '-') ?? 'device';
      const prefix = os.startsWith('mac') ? 'mbp' : os.startsWith('Win') ? 'win' : 'lnx';
      const stale = random.chance(0.07);
      const revoked = index % 97 === 13 && n === 0;
      const privacy: PrivacyState = random.chance(0.04)
        ? 'active'
        : random.chance(0.12)
          ? 'configured'
          : 'off';
      const lastSeen = stale
        ? new Date(now.getTime() - random.int(2, 96) * 3_600_000)
        : new Date(now.getTime() - random.int(5, 240) * 1000);
      return {
        org_id: orgId,
        hostname: `${prefix}-${handle}${n ? `-${n + 1}` : ''}`,
        os,
        os_user: handle.split('-')[0] ?? null,
        agent_version: random.pick(['0.4.2', '0.4.2', '0.4.2', '0.4.1', '0.3.9']),
        owner_user_id: user.id,
        cert_serial: null,
        cert_not_after: new Date(now.getTime() + random.int(30, 360) * 86_400_000),
        status: revoked ? ('revoked' as const) : ('active' as const),
        revoked_at: revoked ? new Date(now.getTime() - 5 * 86_400_000) : null,
        last_seen_at: revoked ? new Date(now.getTime() - 5 * 86_400_000) : lastSeen,
        privacy_state: privacy,
        queue_depth: 0,
      };
    });
  });
  const inserted = await tx.db
    .insertInto('devices')
    .values(rows)
    .returning(['id', 'owner_user_id', 'status'])
    .execute();
  const primary = new Map<string, string>();
  for (const device of inserted) {
    if (device.owner_user_id && device.status === 'active' && !primary.has(device.owner_user_id)) {
      primary.set(device.owner_user_id, device.id);
    }
  }
  return primary;
}
