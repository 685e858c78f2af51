import { budgetRolloverJob } from '../budgets/rollover-job.js';
import { dataRequestSweepJob } from '../data-requests/reminders.js';
import { sendEmailJob } from '../delivery/email.js';
import { deliverWebhookJob } from '../delivery/webhook-job.js';
import { dispatchEventJob } from '../events/dispatch-job.js';
import { pruneEventsJob } from '../events/prune-job.js';
import { generateExportJob, purgeExportsJob } from '../exports/job.js';
import { deliverSlackAlertJob } from '../integrations/slack/alert-channels.js';
import { refreshAlertCardsJob } from '../integrations/slack/alert-refresh.js';
import { notifyReimbursementJob } from '../integrations/slack/notify.js';
import { purgePerksJob } from '../perks/purge-job.js';
import { pollAllConnectionsJob, syncConnectionJob } from '../reconciliation/jobs.js';
import { sendDueReportsJob } from '../reports/job.js';
import { retentionJob } from '../retention/job.js';
import { nightlyScorecardsJob } from '../scorecards/job.js';
import type { JobDefinition, RecurringJob } from './define-job.js';

/**
 * Every job the worker knows, and what recurs. Features add their definitions here — one
 * explicit list, so what runs in the background is visible in one place.
 */
export const jobDefinitions: JobDefinition[] = [
  generateExportJob,
  budgetRolloverJob,
  syncConnectionJob,
  sendEmailJob,
  deliverWebhookJob,
  deliverSlackAlertJob,
  notifyReimbursementJob,
  refreshAlertCardsJob,
  dispatchEventJob,
];

export const recurringJobs: RecurringJob[] = [
  // DSAR reminders (7 and 2 days before the due date), overdue alerts, expiry of access exports.
  { job: dataRequestSweepJob, everyMs: 3_600_000, payload: {} },
  // Deletes usage past each org's retention, in short batches.
  { job: retentionJob, everyMs: 3_600_000, payload: {} },
  { job: purgeExportsJob, everyMs: 3_600_000 },
  // Token Perks' 90-day TTL (reads already hide expired records from the exact instant).
  { job: purgePerksJob, everyMs: 10 * 60_000, payload: {} },
  // Efficiency scores + adoption scorecards, once per org-local day (checked hourly).
  { job: nightlyScorecardsJob, everyMs: 3_600_000, payload: {} },
  // Scheduled reports whose send time has come.
  { job: sendDueReportsJob, everyMs: 60_000, payload: {} },
  // Closes each budget period (spend snapshot + rollover) within 5 minutes of its end.
  { job: budgetRolloverJob, everyMs: 5 * 60_000, payload: {} },
  // Provider reconciliation: an hourly sync of every connection that is not backing off.
  { job: pollAllConnectionsJob, everyMs: 3_600_000, payload: {} },
  // Outbox rows older than a week (every node has long caught up).
  { job: pruneEventsJob, everyMs: 3_600_000, payload: {} },
];
