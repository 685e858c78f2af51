/** Shapes of the governance API (apps/server/src/http/v1/{alerts,incidents,policies,webhooks,audit}). */
import type { ConditionNode } from '@toktra/core';
export type Severity = 'low' | 'medium' | 'high' | 'critical';

export const SEVERITY_COLOR: Record<Severity, string> = {
  low: 'gray',
  medium: 'yellow',
  high: 'orange',
  critical: 'red',
};

export interface AlertRow {
  id: string;
  severity: Severity;
  status: 'open' | 'acknowledged';
  title: string;
  body: string;
  source: string;
  created_at: string;
  acknowledged_at: string | null;
}

export interface IncidentRow {
  id: string;
  title: string;
  severity: Severity;
  status: 'open' | 'acknowledged' | 'resolved';
  assignee_id: string | null;
  user_id: string | null;
  created_at: string;
}

export interface IncidentDetail extends IncidentRow {
  timeline: Array<{
    id: string;
    at: string;
    actor_type: string;
    kind: string;
    details: Record<string, unknown>;
  }>;
}

export interface PolicyRow {
  id: string;
  name: string;
  status: 'draft' | 'published' | 'disabled';
  severity: Severity;
  current_version: number;
  published_version: number | null;
  has_unpublished_changes: boolean;
  description: string;
  trigger: { type: string; params?: Record<string, unknown> };
  conditions: ConditionNode | null;
  actions: PolicyActionRow[];
  updated_at: string;
}

export type PolicyActionRow =
  | { type: 'email_user' }
  | { type: 'email_manager' }
  | { type: 'block_user'; duration_hours?: number }
  | { type: 'create_incident'; assignee_id?: string; severity?: Severity }
  | { type: 'webhook'; endpoint_id: string };

export interface PolicyVersion {
  version: number;
  name: string;
  severity: Severity;
  trigger: { type: string };
  conditions: ConditionNode | null;
  actions: PolicyActionRow[];
  created_at: string;
  created_by: string | null;
}

export interface PolicyTest {
  window?: { from: string; to: string; days: number };
  evaluated: number;
  matched: number;
  would_fire: number;
  examples: Array<{ occurred_at: string; summary: string }>;
}

export interface EndpointRow {
  id: string;
  url: string;
  enabled: boolean;
  disabled_reason: string | null;
  event_types: string[];
}

export interface DeliveryRow {
  id: string;
  event_type: string;
  status: 'pending' | 'delivered' | 'dead';
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
  created_at: string;
}

export interface AuditRow {
  seq: number;
  at: string;
  actor_type: string;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  /** Readable names, when the server resolves them. */
  actor_name?: string | null;
  target_name?: string | null;
}
