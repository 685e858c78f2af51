import type { Migration } from 'kysely';
import * as core from './20261121T220000-core.js';
import * as jobs from './20261121T221000-jobs.js';
import * as usage from './20261121T221200-usage.js';
import * as pki from './20261121T222000-pki.js';
import * as auth from './20261121T223000-auth.js';
import * as budgets from './20261121T223500-budgets.js';
import * as insights from './20261121T224100-insights.js';
import * as reconciliation from './20261121T224530-reconciliation.js';
import * as governance from './20261121T225000-governance.js';
import * as slackItsmReimbursements from './20261121T230500-slack-itsm-reimbursements.js';
import * as privacySettings from './20261122T013500-privacy-settings.js';
import * as dataRequests from './20261122T014000-data-requests.js';
import * as extension from './20261122T014500-extension.js';
import * as perks from './20261122T015000-perks.js';
import * as domainEvents from './20261207T071500-domain-events.js';
import * as dashboardReadModels from './20261207T073000-dashboard-read-models.js';
import * as signInThrottle from './20261207T075500-sign-in-throttle.js';

/** Every migration in order. Never edit one that has landed; add a new file instead. */
export const migrations: Record<string, Migration> = {
  '20261121T220000-core': core,
  '20261121T221000-jobs': jobs,
  '20261121T221200-usage': usage,
  '20261121T222000-pki': pki,
  '20261121T223000-auth': auth,
  '20261121T223500-budgets': budgets,
  '20261121T224100-insights': insights,
  '20261121T224530-reconciliation': reconciliation,
  '20261121T225000-governance': governance,
  '20261121T230500-slack-itsm-reimbursements': slackItsmReimbursements,
  '20261122T014000-data-requests': dataRequests,
  '20261122T013500-privacy-settings': privacySettings,
  '20261122T015000-perks': perks,
  '20261122T014500-extension': extension,
  '20261207T071500-domain-events': domainEvents,
  '20261207T073000-dashboard-read-models': dashboardReadModels,
  '20261207T075500-sign-in-throttle': signInThrottle,
};
