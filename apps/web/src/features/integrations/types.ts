export type Severity = 'low' | 'medium' | 'high' | 'critical';
export const SEVERITIES: Severity[] = ['low', 'medium', 'high', 'critical'];

export interface Installation {
  id: string;
  team_id: string;
  team_name: string;
  bot_user_id: string | null;
  scopes: string[];
  installed_by: string | null;
  installed_at: string;
  uninstalled_at: string | null;
}

export interface AlertChannel {
  id: string;
  installation_id: string;
  channel_id: string;
  channel_name: string;
  severities: Severity[];
  created_at: string;
}

export interface SlackChannel {
  id: string;
  name: string;
  is_private: boolean;
}

export interface SlackDelivery {
  id: string;
  kind: string;
  channel_id: string | null;
  subject_id: string | null;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  last_error: string | null;
  created_at: string;
}

export interface Connector {
  id: string;
  kind: 'servicenow' | 'jira';
  name: string;
  base_url: string;
  project_key: string | null;
  issue_type: string | null;
  table_name: string | null;
  active: boolean;
  last_tested_at: string | null;
  last_test_ok: boolean | null;
  created_at: string;
}
