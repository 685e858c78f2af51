import { isPrivate } from '@toktra/core';
import type { Tx } from '@toktra/db';
import { toSettings } from './service.js';

/**
 * A backstop behind the device: a device's events of a person whose portal Privacy Hours cover
 * the event's time are not stored. The device already drops them, but it hears of a portal pause
 * only at its next poll (≤ 15 s) and an old agent not at all. They are dropped silently — not
 * counted as rejections, which surface in metrics an operator can read.
 */
export async function withoutPrivateEvents<T extends { user_id: string | null; occurred_at: Date }>(
  tx: Tx,
  orgId: string,
  rows: T[],
): Promise<T[]> {
  const users = [...new Set(rows.map((r) => r.user_id).filter((u): u is string => u !== null))];
  if (users.length === 0) return rows;
  const settings = await tx.db
    .selectFrom('privacy_settings')
    .select(['user_id', 'time_zone', 'windows', 'paused_until', 'paused_indefinitely', 'updated_at'])
    .where('org_id', '=', orgId)
    .where('user_id', 'in', users)
    .execute();
  if (settings.length === 0) return rows;
  const byUser = new Map(settings.map((s) => [s.user_id, toSettings(s)]));
  return rows.filter((r) => !(r.user_id && isPrivate(byUser.get(r.user_id), r.occurred_at)));
}
