import type { ColumnType, Generated } from 'kysely';

/** One Slack workspace installed for an org; `bot_token` is encrypted (apps/server/src/secrets). */
export interface SlackInstallationsTable {
  id: Generated<string>;
  org_id: string;
  team_id: string;
  team_name: Generated<string>;
  app_id: string | null;
  bot_token: string | null;
  bot_user_id: string | null;
  scopes: Generated<string>;
  installed_by: string | null;
  installed_at: ColumnType<Date, Date | undefined, Date>;
  uninstalled_at: Date | null;
}

/** OAuth `state` values (stored hashed), single-use, short-lived. */
export interface SlackOauthStatesTable {
  state_hash: string;
  org_id: string;
  created_by: string | null;
  browser_bound: Generated<boolean>;
  expires_at: Date;
  used_at: Date | null;
  created_at: ColumnType<Date, never, never>;
}

/** Cache of Slack user ↔ email ↔ Toktra user (from `users.info` / `users.lookupByEmail`). */
export interface SlackUserMappingsTable {
  org_id: string;
  team_id: string;
  slack_user_id: string;
  email: string;
  user_id: string | null;
  refreshed_at: ColumnType<Date, Date | undefined, Date>;
}

export type SlackSeverity = 'low' | 'medium' | 'high' | 'critical';

export interface SlackAlertChannelsTable {
  id: Generated<string>;
  org_id: string;
  installation_id: string;
  channel_id: string;
  channel_name: Generated<string>;
  severities: SlackSeverity[];
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export type SlackDeliveryStatus = 'pending' | 'sent' | 'failed';

/** Every message the app tries to post (alerts, DMs), with attempts and the last error. */
export interface SlackDeliveriesTable {
  id: Generated<string>;
  org_id: string;
  kind: string;
  installation_id: string | null;
  channel_id: string | null;
  subject_id: string | null;
  status: Generated<SlackDeliveryStatus>;
  attempts: Generated<number>;
  last_error: string | null;
  message_ts: string | null;
  created_at: ColumnType<Date, never, never>;
  sent_at: Date | null;
}

export interface PartialDB {
  slack_installations: SlackInstallationsTable;
  slack_oauth_states: SlackOauthStatesTable;
  slack_user_mappings: SlackUserMappingsTable;
  slack_alert_channels: SlackAlertChannelsTable;
  slack_deliveries: SlackDeliveriesTable;
}
