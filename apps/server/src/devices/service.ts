import { AppError, isUuid } from '@toktra/core';
import type { Database, DevicesTable, PrivacyState, Tx } from '@toktra/db';
import type { Selectable } from 'kysely';
import { type Actor, appendAudit } from '../audit/service.js';
import type { AppContext } from '../context.js';
import { emitEvent } from '../events/outbox.js';
import { decodeCursor, type Page, toPage } from '../http/v1/pagination.js';

/** A device is "protected" when its certificate is active and it reported in this window. */
export const PROTECTED_WINDOW_MS = 15 * 60 * 1000;

export interface DeviceView {
  id: string;
  hostname: string;
  os: string | null;
  os_user: string | null;
  agent_version: string | null;
  owner_user_id: string | null;
  status: 'active' | 'revoked';
  privacy_state: PrivacyState | null;
  last_seen_at: string | null;
  enrolled_at: string;
  revoked_at: string | null;
  cert_serial: string | null;
  cert_not_after: string | null;
  queue_depth: number | null;
  protected: boolean;
}

type DeviceRow = Selectable<DevicesTable>;

export function toDeviceView(row: DeviceRow, now = Date.now()): DeviceView {
  const certActive =
    row.status === 'active' && row.cert_not_after !== null && row.cert_not_after.getTime() > now;
  const recent = row.last_seen_at !== null && now - row.last_seen_at.getTime() <= PROTECTED_WINDOW_MS;
  return {
    id: row.id,
    hostname: row.hostname,
    os: row.os,
    os_user: row.os_user,
    agent_version: row.agent_version,
    owner_user_id: row.owner_user_id,
    status: row.status,
    privacy_state: row.privacy_state,
    last_seen_at: row.last_seen_at?.toISOString() ?? null,
    enrolled_at: row.created_at.toISOString(),
    revoked_at: row.revoked_at?.toISOString() ?? null,
    cert_serial: row.cert_serial,
    cert_not_after: row.cert_not_after?.toISOString() ?? null,
    queue_depth: row.queue_depth,
    protected: certActive && recent,
  };
}

/** The org's devices in enrollment order (ids are UUIDv7), one cursor page at a time. */
export async function listDevices(
  db: Database,
  orgId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<DeviceView>> {
  const after = decodeCursor(page.cursor);
  const rows = await db.withTenant(orgId, ({ db: trx }) => {
    let query = trx.selectFrom('devices').selectAll().where('org_id', '=', orgId);
    if (after) query = query.where('id', '>', after);
    return query
      .orderBy('id')
      .limit(page.limit + 1)
      .execute();
  });
  const now = Date.now();
  return toPage(
    rows.map((r) => toDeviceView(r, now)),
    page.limit,
  );
}

export async function getDevice(db: Database, orgId: string, deviceId: string): Promise<DeviceView> {
  const notFound = new AppError('not_found', `device ${deviceId} not found`);
  if (!isUuid(deviceId)) throw notFound;
  const row = await db.withTenant(orgId, ({ db: trx }) =>
    trx
      .selectFrom('devices')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', deviceId)
      .executeTakeFirst(),
  );
  if (!row) throw notFound;
  return toDeviceView(row);
}

/**
 * Revokes the device's certificate: the ingest server refuses it from the next request (every
 * process's status cache drops the device on the `device.revoked` event). Revoking twice is a no-op.
 */
export async function revokeDevice(
  ctx: Pick<AppContext, 'db' | 'events' | 'logger'>,
  orgId: string,
  deviceId: string,
  actor: Actor,
): Promise<DeviceView> {
  const notFound = new AppError('not_found', `device ${deviceId} not found`);
  if (!isUuid(deviceId)) throw notFound;
  const row = await ctx.db.withTenant(orgId, async (tx) => {
    const current = await tx.db
      .selectFrom('devices')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', deviceId)
      .forUpdate()
      .executeTakeFirst();
    if (!current) throw notFound;
    if (current.status === 'revoked') return current;
    const updated = await tx.db
      .updateTable('devices')
      .set({ status: 'revoked', revoked_at: new Date() })
      .where('org_id', '=', orgId)
      .where('id', '=', deviceId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(tx, orgId, actor, {
      action: 'device.revoke',
      targetType: 'device',
      targetId: deviceId,
      details: { hostname: current.hostname, cert_serial: current.cert_serial },
    });
    await emitEvent(ctx, tx, orgId, 'device.revoked', { deviceId });
    return updated;
  });
  ctx.logger.info({ org_id: orgId, device_id: deviceId }, 'device revoked');
  return toDeviceView(row);
}

export interface Heartbeat {
  agentVersion: string;
  queueDepth: number;
  privacyState: PrivacyState;
  capture: Record<string, unknown>;
}

/** Records a heartbeat: liveness, agent version and whether Privacy Hours are on (never when). */
export async function recordHeartbeat(db: Database, orgId: string, deviceId: string, beat: Heartbeat) {
  await db.withTenant(orgId, ({ db: trx }) =>
    trx
      .updateTable('devices')
      .set({
        last_seen_at: new Date(),
        agent_version: beat.agentVersion,
        queue_depth: beat.queueDepth,
        privacy_state: beat.privacyState,
        capture_stats: JSON.stringify(beat.capture),
      })
      .where('org_id', '=', orgId)
      .where('id', '=', deviceId)
      .execute(),
  );
}

/**
 * Marks a device as seen, inside the caller's transaction (the ingest batch's). At most every
 * 30 s per device: a busy agent's batches then do not all queue on the same row lock.
 */
export async function markDeviceSeen(tx: Tx, orgId: string, deviceId: string): Promise<void> {
  const now = new Date();
  await tx.db
    .updateTable('devices')
    .set({ last_seen_at: now })
    .where('org_id', '=', orgId)
    .where('id', '=', deviceId)
    .where((eb) =>
      eb.or([eb('last_seen_at', 'is', null), eb('last_seen_at', '<', new Date(now.getTime() - 30_000))]),
    )
    .execute();
}
