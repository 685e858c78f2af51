import type { ColumnType, Generated } from 'kysely';

export type DeviceStatus = 'active' | 'revoked';
export type PrivacyState = 'off' | 'configured' | 'active';

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
  privacy_state: PrivacyState | null;
  created_at: ColumnType<Date, never, never>;
  /** The OS account that ran the enrollment. */
  os_user: string | null;
  /** From the last heartbeat: events waiting in the agent's durable queue. */
  queue_depth: number | null;
  /** From the last heartbeat: capture counters such as drops. */
  capture_stats: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  enroll_token_id: string | null;
}

export interface PartialDB {
  devices: DevicesTable;
}
