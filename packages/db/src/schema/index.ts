import type * as alerts from './alerts.js';
import type * as apiKeys from './api-keys.js';
import type * as auditLog from './audit-log.js';
import type * as budgets from './budgets.js';
import type * as calibrationFits from './calibration-fits.js';
import type * as certificateAuthorities from './certificate-authorities.js';
import type * as dataRequests from './data-requests.js';
import type * as departments from './departments.js';
import type * as devices from './devices.js';
import type * as domainEvents from './domain-events.js';
import type * as enrollTokens from './enroll-tokens.js';
import type * as events from './events.js';
import type * as extensionBrowsers from './extension-browsers.js';
import type * as extensionRequests from './extension-requests.js';
import type * as githubIntegrations from './github-integrations.js';
import type * as githubUserMappings from './github-user-mappings.js';
import type * as governanceSignals from './governance-signals.js';
import type * as incidentEvents from './incident-events.js';
import type * as incidents from './incidents.js';
import type * as insights from './insights.js';
import type * as itsm from './itsm.js';
import type * as jobs from './jobs.js';
import type * as orgCatalogueEntries from './org-catalogue-entries.js';
import type * as orgs from './orgs.js';
import type * as osUserMappings from './os-user-mappings.js';
import type * as perks from './perks.js';
import type * as policies from './policies.js';
import type * as policyFirings from './policy-firings.js';
import type * as policyVersions from './policy-versions.js';
import type * as privacySettings from './privacy-settings.js';
import type * as providerConnections from './provider-connections.js';
import type * as reconciledUsage from './reconciled-usage.js';
import type * as reimbursementRequests from './reimbursement-requests.js';
import type * as riskEvents from './risk-events.js';
import type * as sessions from './sessions.js';
import type * as slack from './slack.js';
import type * as usageRollups from './usage-rollups.js';
import type * as users from './users.js';
import type * as webhookDeliveries from './webhook-deliveries.js';
import type * as webhookEndpoints from './webhook-endpoints.js';

export type DB = orgs.PartialDB &
  policies.PartialDB &
  policyVersions.PartialDB &
  policyFirings.PartialDB &
  governanceSignals.PartialDB &
  riskEvents.PartialDB &
  githubIntegrations.PartialDB &
  githubUserMappings.PartialDB &
  incidents.PartialDB &
  incidentEvents.PartialDB &
  alerts.PartialDB &
  webhookEndpoints.PartialDB &
  webhookDeliveries.PartialDB &
  departments.PartialDB &
  users.PartialDB &
  devices.PartialDB &
  apiKeys.PartialDB &
  auditLog.PartialDB &
  certificateAuthorities.PartialDB &
  enrollTokens.PartialDB &
  events.PartialDB &
  extensionBrowsers.PartialDB &
  extensionRequests.PartialDB &
  usageRollups.PartialDB &
  osUserMappings.PartialDB &
  perks.PartialDB &
  orgCatalogueEntries.PartialDB &
  jobs.PartialDB &
  domainEvents.PartialDB &
  sessions.PartialDB &
  providerConnections.PartialDB &
  reconciledUsage.PartialDB &
  calibrationFits.PartialDB &
  budgets.PartialDB &
  insights.PartialDB &
  slack.PartialDB &
  itsm.PartialDB &
  reimbursementRequests.PartialDB &
  privacySettings.PartialDB &
  dataRequests.PartialDB;

/** Tables whose rows belong to one org; each has `org_id` and a row-level-security policy. */
export const TENANT_TABLES = [
  'policies',
  'policy_versions',
  'policy_firings',
  'governance_signals',
  'risk_events',
  'github_integrations',
  'github_user_mappings',
  'incidents',
  'incident_events',
  'alerts',
  'webhook_endpoints',
  'webhook_deliveries',
  'departments',
  'users',
  'devices',
  'api_keys',
  'audit_log',
  'events',
  'extension_browsers',
  'extension_requests',
  'usage_hourly',
  'usage_daily',
  'usage_daily_org',
  'usage_daily_people',
  'os_user_mappings',
  'perk_settings',
  'perk_enrollments',
  'perk_ledger_entries',
  'perk_redemptions',
  'org_catalogue_entries',
  'sessions',
  'oidc_configs',
  'enroll_tokens',
  'provider_connections',
  'reconciled_usage',
  'calibration_fits',
  'budgets',
  'budget_periods',
  'budget_rollovers',
  'budget_exemptions',
  'model_prices',
  'user_blocks',
  'exports',
  'report_schedules',
  'efficiency_scores',
  'tier_overrides',
  'scorecards',
  'insight_secrets',
  'slack_installations',
  'slack_oauth_states',
  'slack_user_mappings',
  'slack_alert_channels',
  'slack_deliveries',
  'itsm_connectors',
  'itsm_tickets',
  'reimbursement_requests',
  'privacy_settings',
  'data_requests',
  'domain_events',
  'domain_event_receipts',
] as const;

export type { AlertsTable } from './alerts.js';
export { API_KEY_SCOPES, type ApiKeyScope, type ApiKeysTable } from './api-keys.js';
export type { AuditActorType, AuditLogTable } from './audit-log.js';
export type {
  BudgetCap,
  BudgetExemptionsTable,
  BudgetPeriodsTable,
  BudgetRolloversTable,
  BudgetsTable,
  ExemptionStatus,
  ModelPricesTable,
  UserBlocksTable,
} from './budgets.js';
export type { CalibrationFitsTable, StoredRatio } from './calibration-fits.js';
export type {
  CertificateAuthoritiesTable,
  CertificateAuthorityKind,
} from './certificate-authorities.js';
export {
  DATA_REQUEST_KINDS,
  DATA_REQUEST_REGIMES,
  type DataRequestKind,
  type DataRequestRegime,
  type DataRequestStatus,
  type DataRequestsTable,
} from './data-requests.js';
export type { DepartmentsTable } from './departments.js';
export type { DeviceStatus, DevicesTable, PrivacyState } from './devices.js';
export type { DomainEventReceiptsTable, DomainEventsTable } from './domain-events.js';
export type { EnrollTokensTable } from './enroll-tokens.js';
export { EVENT_SOURCES, type EventSource, type EventsTable } from './events.js';
export type { ExtensionBrowsersTable, ExtensionEnrollment } from './extension-browsers.js';
export type { ExtensionRequestsTable } from './extension-requests.js';
export type { IncidentEventsTable } from './incident-events.js';
export { INCIDENT_STATUSES, type IncidentStatus, type IncidentsTable } from './incidents.js';
export type {
  EfficiencyScoresTable,
  ExportFormat,
  ExportScope,
  ExportStatus,
  ExportsTable,
  ModelTier,
  ReportFrequency,
  ReportSchedulesTable,
  ScorecardsTable,
  TierOverridesTable,
} from './insights.js';
export type { ItsmConnectorsTable, ItsmKind, ItsmTicketsTable } from './itsm.js';
export type { OrgCatalogueEntriesTable } from './org-catalogue-entries.js';
export { type OrgsTable, REGIONS, type Region } from './orgs.js';
export type { OsUserMappingsTable } from './os-user-mappings.js';
export type {
  PerkEnrollmentsTable,
  PerkLedgerEntriesTable,
  PerkRedemptionsTable,
  PerkSettingsTable,
} from './perks.js';
export { POLICY_STATUSES, type PoliciesTable, type PolicyStatus } from './policies.js';
export type { PolicyVersionsTable, Severity } from './policy-versions.js';
export type { PrivacySettingsTable, StoredPrivacyWindow } from './privacy-settings.js';
export {
  CONNECTION_PROVIDERS,
  type ConnectionProvider,
  type ConnectionStatus,
  type ProviderConnectionsTable,
} from './provider-connections.js';
export type { ReconciledUsageTable } from './reconciled-usage.js';
export type { ReimbursementRequestsTable, ReimbursementStatus } from './reimbursement-requests.js';
export type { RiskEventsTable } from './risk-events.js';
export type { OidcConfigsTable, SessionAuthMethod, SessionsTable } from './sessions.js';
export type {
  SlackAlertChannelsTable,
  SlackDeliveriesTable,
  SlackDeliveryStatus,
  SlackInstallationsTable,
  SlackSeverity,
} from './slack.js';
export type { UsageDailyTable, UsageHourlyTable, UsageSums } from './usage-rollups.js';
export { USER_ROLES, type UserRole, type UsersTable } from './users.js';
export type { DeliveryAttempt, WebhookDeliveriesTable, WebhookDeliveryStatus } from './webhook-deliveries.js';
