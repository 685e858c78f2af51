import type { Database, DeviceStatus } from '@toktra/db';

export interface DeviceStatusEntry {
  status: DeviceStatus;
  certSerial: string | null;
}

/**
 * The ingest server checks every request's device against this cache. Entries live for a short
 * TTL, so a revocation made by another process (another node, a CLI against the same Postgres)
 * takes effect within seconds; a revocation in this process invalidates the entry at once.
 */
export class DeviceStatusCache {
  private readonly entries = new Map<string, { value: DeviceStatusEntry | null; expires: number }>();

  constructor(readonly ttlMs = 2_000) {}

  async lookup(db: Database, orgId: string, deviceId: string): Promise<DeviceStatusEntry | null> {
    const key = `${orgId}/${deviceId}`;
    const hit = this.entries.get(key);
    if (hit && hit.expires > Date.now()) return hit.value;
    const row = await db.withTenant(orgId, ({ db: trx }) =>
      trx
        .selectFrom('devices')
        .select(['status', 'cert_serial'])
        .where('org_id', '=', orgId)
        .where('id', '=', deviceId)
        .executeTakeFirst(),
    );
    const value = row ? { status: row.status, certSerial: row.cert_serial } : null;
    if (this.entries.size > 50_000) this.entries.clear();
    this.entries.set(key, { value, expires: Date.now() + this.ttlMs });
    return value;
  }

  invalidate(orgId: string, deviceId: string): void {
    this.entries.delete(`${orgId}/${deviceId}`);
  }
}
