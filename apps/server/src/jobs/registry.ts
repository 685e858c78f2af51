import { pollAllConnectionsJob, syncConnectionJob } from '../reconciliation/jobs.js';
import { budgetRolloverJob } from '../budgets/rollover-job.js';
import { generateExportJob, purgeExportsJob } from '../exports/job.js';
import { sendEmailJob } from '../delivery/email.js';
import { deliverWebhookJob } from '../delivery/webhook-job.js';
import type { JobDefinition, RecurringJob } from './define-job.js';

/**
 * Every job the worker knows, and what recurs. Features add their definitions here — one
 * explicit list, so what runs in the background is visible in one place.
 */
export const jobDefinitions: JobDefinition[] = [syncConnectionJob, budgetRolloverJob, generateExportJob, sendEmailJob, deliverWebhookJob];

export const recurringJobs: RecurringJob[] = [
  // Provider reconciliation: an hourly sync of every connection that is not backing off.
  { job: pollAllConnectionsJob, everyMs: 3_600_000, payload: {} },
  // Closes each budget period (spend snapshot + rollover) within 5 minutes of its end.
  { job: budgetRolloverJob, everyMs: 5 * 60_000, payload: {} },
  // Deletes export files past their expiry.
  { job: purgeExportsJob, everyMs: 3_600_000, payload: {} },
];
