import type * as apiKeys from './api-keys.js';
import type * as auditLog from './audit-log.js';
import type * as budgets from './budgets.js';
import type * as calibrationFits from './calibration-fits.js';
import type * as certificateAuthorities from './certificate-authorities.js';
import type * as departments from './departments.js';
import type * as devices from './devices.js';
import type * as enrollTokens from './enroll-tokens.js';
import type * as events from './events.js';
import type * as insights from './insights.js';
import type * as jobs from './jobs.js';
import type * as orgCatalogueEntries from './org-catalogue-entries.js';
import type * as orgs from './orgs.js';
import type * as osUserMappings from './os-user-mappings.js';
import type * as sessions from './sessions.js';
import type * as providerConnections from './provider-connections.js';
import type * as reconciledUsage from './reconciled-usage.js';
import type * as usageRollups from './usage-rollups.js';
import type * as users from './users.js';

export type DB = orgs.PartialDB &
  departments.PartialDB &
  users.PartialDB &
  devices.PartialDB &
  apiKeys.PartialDB &
  auditLog.PartialDB &
  certificateAuthorities.PartialDB &
  enrollTokens.PartialDB &
  events.PartialDB &
  usageRollups.PartialDB &
  osUserMappings.PartialDB &
  orgCatalogueEntries.PartialDB &
  jobs.PartialDB &
  providerConnections.PartialDB &
  reconciledUsage.PartialDB &
  calibrationFits.PartialDB &
  budgets.PartialDB &
  insights.PartialDB &
  sessions.PartialDB;

/** Tables whose rows belong to one org; each has `org_id` and a row-level-security policy. */
export const TENANT_TABLES = [
  'departments',
  'users',
  'devices',
  'api_keys',
  'audit_log',
  'events',
  'usage_hourly',
  'usage_daily',
  'os_user_mappings',
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
] as const;

export { API_KEY_SCOPES, type ApiKeyScope, type ApiKeysTable } from './api-keys.js';
export type { AuditActorType, AuditLogTable } from './audit-log.js';
export type { DepartmentsTable } from './departments.js';
export type {
  CertificateAuthoritiesTable,
  CertificateAuthorityKind,
} from './certificate-authorities.js';
export type { DeviceStatus, DevicesTable, PrivacyState } from './devices.js';
export type { EnrollTokensTable } from './enroll-tokens.js';
export type { CalibrationFitsTable, StoredRatio } from './calibration-fits.js';
export {
  CONNECTION_PROVIDERS,
  type ConnectionProvider,
  type ConnectionStatus,
  type ProviderConnectionsTable,
} from './provider-connections.js';
export type { ReconciledUsageTable } from './reconciled-usage.js';
export { EVENT_SOURCES, type EventSource, type EventsTable } from './events.js';
export type { OrgCatalogueEntriesTable } from './org-catalogue-entries.js';
export type { OsUserMappingsTable } from './os-user-mappings.js';
export type { OidcConfigsTable, SessionAuthMethod, SessionsTable } from './sessions.js';
export type { UsageDailyTable, UsageHourlyTable, UsageSums } from './usage-rollups.js';
export { type OrgsTable, REGIONS, type Region } from './orgs.js';
export { USER_ROLES, type UserRole, type UsersTable } from './users.js';
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
