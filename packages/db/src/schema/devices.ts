import type { ColumnType, Generated } from 'kysely';

export type DeviceStatus = 'active' | 'revoked';

export interface DevicesTable {
  id: Generated<string>;
  org_id: string;
  hostname: string;
  os: string | null;
  agent_version: string | null;
  owner_user_id: string | null;
  cert_serial: string | null;
  cert_fingerprint: string | null;
  cert_not_after: Date | null;
  status: Generated<DeviceStatus>;
  revoked_at: Date | null;
  last_seen_at: Date | null;
  /** Only whether Privacy Hours are configured/active — never the schedule itself. */
  privacy_state: string | null;
  created_at: ColumnType<Date, never, never>;
}

export interface PartialDB {
  devices: DevicesTable;
}
