import type { RiskLevel } from '@toktra/core';

/** A GitHub delivery reduced to the risk it signals; null for events we do not treat as risk. */
export interface MappedRisk {
  kind: 'repository_publicized' | 'secret_scanning_alert' | 'code_scanning_alert';
  level: RiskLevel;
  login: string | null;
  repository: string | null;
  details: Record<string, unknown>;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' ? (v as Json) : {});
const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

const CODE_SCANNING_LEVELS: Record<string, RiskLevel> = {
  critical: 'critical',
  high: 'high',
  medium: 'medium',
  low: 'low',
  error: 'high',
  warning: 'medium',
  note: 'low',
};

/**
 * Maps the deliveries that signal leakage:
 * - `repository` / `publicized`: a private repository made public → critical;
 * - `secret_scanning_alert` / `created`: a secret committed → high (critical when a push
 *   protection was bypassed to get it in);
 * - `code_scanning_alert` / `created`: the rule's security severity (critical/high/medium/low),
 *   else its severity (error → high, warning → medium, note → low).
 * The person is the one who acted: the push-protection bypasser, else the delivery's sender.
 */
export function mapGithubEvent(event: string, payload: Json): MappedRisk | null {
  const action = str(payload.action);
  const repository = str(obj(payload.repository).full_name);
  const sender = str(obj(payload.sender).login);
  if (event === 'repository' && action === 'publicized') {
    return {
      kind: 'repository_publicized',
      level: 'critical',
      login: sender,
      repository,
      details: { action },
    };
  }
  if (event === 'secret_scanning_alert' && action === 'created') {
    const alert = obj(payload.alert);
    const bypasser = str(obj(alert.push_protection_bypassed_by).login);
    return {
      kind: 'secret_scanning_alert',
      level: alert.push_protection_bypassed === true ? 'critical' : 'high',
      login: bypasser ?? sender,
      repository,
      details: {
        alert_number: alert.number ?? null,
        secret_type: str(alert.secret_type),
        html_url: str(alert.html_url),
      },
    };
  }
  if (event === 'code_scanning_alert' && action === 'created') {
    const alert = obj(payload.alert);
    const rule = obj(alert.rule);
    const severity = str(rule.security_severity_level) ?? str(rule.severity) ?? 'warning';
    return {
      kind: 'code_scanning_alert',
      level: CODE_SCANNING_LEVELS[severity] ?? 'medium',
      login: sender,
      repository,
      details: {
        alert_number: alert.number ?? null,
        rule_id: str(rule.id),
        severity,
        html_url: str(alert.html_url),
      },
    };
  }
  return null;
}
