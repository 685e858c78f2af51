import { sql } from 'kysely';
import { redactAuditEntries } from '../audit/redact.js';
import { PERKS_ERASURE_RULES } from '../perks/erasure-rules.js';
import { eraseExportFiles, eraseRequestFiles } from './erase-files.js';
import type { ErasureRule } from './rule-types.js';
import { identifierPattern, replacements, type Subject } from './subject.js';

const isUser = (column: string) => (s: Subject) => sql`${sql.ref(column)} = ${s.userId}::uuid`;
const mentions = (column: string) => (s: Subject) => sql`${sql.ref(column)}::text ~* ${identifierPattern(s)}`;
const alertsOf = (s: Subject) =>
  sql`(SELECT id FROM alerts WHERE org_id = ${s.orgId}::uuid AND user_id = ${s.userId}::uuid)`;
const subjectRow = (type: string) => (s: Subject) =>
  sql`subject_type = ${type} AND subject_id = ${s.userId}::uuid`;

/**
 * One explicit rule per table, applied in this order (rows that point at others go first).
 * `erasure-rules.test.ts` fails when a table exists without a rule: a new table must say here
 * whether it holds personal data and what erasure does to it.
 */
export const ERASURE_RULES: ErasureRule[] = [
  {
    table: 'itsm_tickets',
    personal: true,
    about: (s) => sql`alert_id IN ${alertsOf(s)}`,
    onRows: 'delete',
    redact: ['created_by'],
    why: 'tickets opened for alerts about the person (the copy in the ITSM itself is out of reach)',
  },
  {
    table: 'slack_deliveries',
    personal: true,
    about: (s) =>
      sql`subject_id IN (SELECT id::text FROM alerts WHERE org_id = ${s.orgId}::uuid AND user_id = ${s.userId}::uuid)`,
    onRows: 'delete',
    redact: ['last_error'],
    why: 'Slack posts of alerts about the person',
  },
  {
    table: 'alerts',
    personal: true,
    about: isUser('user_id'),
    onRows: 'delete',
    redact: ['title', 'body', 'details', 'acknowledged_by'],
    why: 'alerts about the person; others may name them (acknowledged_by, text)',
  },
  {
    table: 'incidents',
    personal: true,
    about: isUser('user_id'),
    onRows: 'delete',
    links: { assignee_id: 'null' },
    redact: ['title'],
    why: 'incidents about the person (their timeline cascades); assignments to them are cleared',
  },
  {
    table: 'incident_events',
    personal: true,
    about: (s) => sql`actor_id LIKE ${`%${s.userId}%`}`,
    redact: ['actor_id', 'details'],
    why: 'timeline entries the person wrote or is named in',
  },
  {
    table: 'policy_firings',
    personal: true,
    about: mentions('subject'),
    onRows: 'delete',
    why: 'firings about the person',
  },
  {
    table: 'governance_signals',
    personal: true,
    about: mentions('payload'),
    onRows: 'delete',
    why: 'signals naming the person',
  },
  {
    table: 'risk_events',
    personal: true,
    about: (s) => sql`(user_id = ${s.userId}::uuid OR external_login = ANY(${s.githubLogins}::text[]))`,
    onRows: 'delete',
    redact: ['details'],
    why: 'risk events of the person',
  },
  {
    table: 'webhook_deliveries',
    personal: true,
    about: mentions('payload'),
    onRows: 'delete',
    redact: ['last_error', 'log'],
    why: 'sent payloads naming the person',
  },
  {
    table: 'domain_events',
    personal: true,
    about: mentions('payload'),
    onRows: 'delete',
    why: 'outbox events naming the person (usage batches, alerts); their receipts cascade',
  },
  {
    table: 'jobs',
    personal: true,
    about: mentions('payload'),
    onRows: 'delete',
    redact: ['last_error', 'dedupe_key'],
    why: 'queued or finished work naming the person',
  },
  {
    table: 'efficiency_scores',
    personal: true,
    about: subjectRow('user'),
    onRows: 'delete',
    why: 'the person’s scores',
  },
  {
    table: 'scorecards',
    personal: true,
    about: subjectRow('employee'),
    onRows: 'delete',
    why: 'the person’s scorecards',
  },
  {
    table: 'tier_overrides',
    personal: true,
    about: isUser('user_id'),
    onRows: 'delete',
    redact: ['set_by', 'reason'],
    why: 'the person’s tier',
  },
  {
    table: 'user_blocks',
    personal: true,
    about: isUser('user_id'),
    onRows: 'delete',
    redact: ['reason'],
    why: 'blocks of the person',
  },
  {
    table: 'budget_exemptions',
    personal: true,
    about: isUser('user_id'),
    onRows: 'delete',
    links: { requested_by: 'pseudonym', decided_by: 'pseudonym' },
    redact: ['justification', 'decision_note'],
    why: 'exemptions for the person; their decisions on others keep a pseudonym',
  },
  {
    table: 'reimbursement_requests',
    personal: true,
    about: isUser('user_id'),
    // Payroll records may have to be kept (tax law): amount and period stay, the person does not.
    onRows: (s) => sql`user_id = ${s.pseudonym}::uuid, note = '', slack_channel = NULL, slack_ts = NULL`,
    links: { approver_id: 'null' },
    redact: ['decided_by', 'decision_note', 'note'],
    why: 'reimbursements: kept for accounting under the pseudonym',
  },
  {
    table: 'sessions',
    personal: true,
    about: isUser('user_id'),
    onRows: 'delete',
    redact: ['user_agent'],
    why: 'sign-in sessions',
  },
  {
    table: 'slack_user_mappings',
    personal: true,
    about: (s) => sql`(user_id = ${s.userId}::uuid OR lower(email) = lower(${s.email}))`,
    onRows: 'delete',
    why: 'Slack id ↔ person',
  },
  {
    table: 'github_user_mappings',
    personal: true,
    about: isUser('user_id'),
    onRows: 'delete',
    why: 'GitHub login ↔ person',
  },
  {
    table: 'os_user_mappings',
    personal: true,
    about: isUser('user_id'),
    onRows: 'delete',
    why: 'OS account ↔ person',
  },
  {
    table: 'events',
    personal: true,
    about: (s) =>
      sql`(user_id = ${s.userId}::uuid OR (device_id = ANY(${s.deviceIds}::uuid[]) AND os_user = ANY(${s.osUsers}::text[])))`,
    // Moved, not deleted: org totals stay equal to the rollups, and no one can tell whose they were.
    onRows: (s) =>
      sql`user_id = CASE WHEN user_id = ${s.userId}::uuid THEN ${s.pseudonym}::uuid ELSE user_id END, os_user = NULL`,
    links: { manager_id: 'null' },
    why: 'usage of the person: moved to the pseudonym, OS account name dropped',
  },
  {
    table: 'usage_hourly',
    personal: true,
    about: isUser('user_id'),
    onRows: (s) => sql`user_id = ${s.pseudonym}::uuid`,
    why: 'rollups follow the events to the pseudonymous bucket',
  },
  {
    table: 'usage_daily',
    personal: true,
    about: isUser('user_id'),
    onRows: (s) => sql`user_id = ${s.pseudonym}::uuid`,
    why: 'rollups follow the events to the pseudonymous bucket',
  },
  {
    table: 'usage_daily_people',
    personal: true,
    about: isUser('user_id'),
    onRows: (s) => sql`user_id = ${s.pseudonym}::uuid`,
    why: 'rollups follow the events to the pseudonymous bucket',
  },
  {
    table: 'usage_daily_org',
    personal: false,
    why: 'org-wide sums per day, provider and model: no person in them',
  },
  {
    table: 'devices',
    personal: true,
    about: isUser('owner_user_id'),
    onRows: (s) =>
      sql`hostname = ${`erased-${s.pseudonym.slice(0, 8)}`}, os_user = NULL, owner_user_id = NULL`,
    redact: ['capture_stats'],
    why: 'the person’s devices: their name (often personal) and owner are removed',
  },
  {
    table: 'enroll_tokens',
    personal: true,
    links: { owner_user_id: 'null' },
    why: 'tokens issued for the person',
  },
  {
    table: 'exports',
    personal: true,
    redact: ['requested_by'],
    custom: eraseExportFiles,
    why: 'export files that contain the person are deleted',
  },
  {
    table: 'report_schedules',
    personal: true,
    about: (s) => sql`recipients::text ILIKE ${`%${s.email}%`}`,
    onRows: (s) =>
      sql`recipients = (SELECT coalesce(jsonb_agg(r), '[]'::jsonb) FROM jsonb_array_elements(recipients) r WHERE lower(r #>> '{}') <> lower(${s.email}))`,
    redact: ['name', 'last_error'],
    why: 'the person is removed from report recipients',
  },
  {
    table: 'policy_versions',
    personal: true,
    redact: ['created_by', 'name', 'description', 'trigger', 'conditions', 'actions'],
    why: 'a policy may name the person (author, conditions)',
  },
  { table: 'slack_installations', personal: true, redact: ['installed_by'], why: 'who installed the app' },
  { table: 'slack_oauth_states', personal: true, redact: ['created_by'], why: 'who started an install' },
  { table: 'api_keys', personal: true, redact: ['name'], why: 'a key may be named after a person' },
  {
    table: 'audit_log',
    personal: true,
    about: (s) =>
      sql`(actor_id = ${s.userId} OR target_id = ${s.userId} OR details::text LIKE ${`%${s.userId}%`})`,
    custom: (_ctx, tx, s) => redactAuditEntries(tx, s.orgId, replacements(s)),
    why: 'pseudonymised through the redaction path; the chain still verifies (ADR 0002)',
  },
  {
    table: 'data_requests',
    personal: true,
    about: isUser('subject_user_id'),
    custom: eraseRequestFiles,
    why: 'the requests themselves keep kind, regime, dates, outcome and the pseudonym only',
  },
  {
    // No `about`: the access export is read by whoever processes the request, and no admin may
    // see when someone goes private. The employee sees all of it in their portal.
    table: 'privacy_settings',
    personal: true,
    custom: async (_ctx, tx, s) => {
      const result = await tx.db
        .deleteFrom('privacy_settings')
        .where('org_id', '=', s.orgId)
        .where('user_id', '=', s.userId)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    why: 'the person’s Privacy Hours (shown to them in the portal, never in an admin-read export)',
  },
  {
    table: 'extension_requests',
    personal: true,
    about: isUser('user_id'),
    onRows: 'delete',
    why: 'browser-extension request log of the person (their usage totals live on in events)',
  },
  {
    table: 'extension_browsers',
    personal: true,
    about: isUser('user_id'),
    onRows: 'delete',
    redact: ['name'],
    why: 'the person’s enrolled browsers',
  },
  ...PERKS_ERASURE_RULES,
  {
    table: 'users',
    personal: true,
    about: (s) => sql`id = ${s.userId}::uuid`,
    onRows: 'delete',
    links: { manager_id: 'null' },
    why: 'the account itself, last (sessions, blocks, mappings cascade)',
  },
  { table: 'orgs', personal: false, why: 'the organisation' },
  { table: 'domain_event_receipts', personal: false, why: 'which handler ran for which event id' },
  { table: 'departments', personal: false, why: 'org structure' },
  { table: 'budgets', personal: false, why: 'department and org budgets' },
  { table: 'budget_periods', personal: false, why: 'per-budget totals' },
  { table: 'budget_rollovers', personal: false, why: 'per-budget totals' },
  { table: 'model_prices', personal: false, why: 'price list' },
  { table: 'calibration_fits', personal: false, why: 'org-level estimator ratios' },
  { table: 'certificate_authorities', personal: false, why: 'CA keys' },
  { table: 'github_integrations', personal: false, why: 'webhook secret' },
  { table: 'insight_secrets', personal: false, why: 'HMAC secret' },
  { table: 'itsm_connectors', personal: false, why: 'connector configuration' },
  { table: 'oidc_configs', personal: false, why: 'SSO configuration' },
  { table: 'org_catalogue_entries', personal: false, why: 'host catalogue' },
  { table: 'policies', personal: false, why: 'status and version numbers (names live in policy_versions)' },
  { table: 'provider_connections', personal: false, why: 'provider credentials and sync state' },
  { table: 'reconciled_usage', personal: false, why: 'provider-reported org totals' },
  { table: 'slack_alert_channels', personal: false, why: 'channel routing' },
  { table: 'webhook_endpoints', personal: false, why: 'endpoint configuration' },
  { table: 'job_schedules', personal: false, why: 'recurring job slots' },
  {
    table: 'sign_in_throttle',
    personal: false,
    why: 'deployment-wide attempt counters under SHA-256 keys, nobody can be looked up in it; swept after 31 days',
  },
];
