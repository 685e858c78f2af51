import { pollAllConnectionsJob, syncConnectionJob } from '../reconciliation/jobs.js';
import type { JobDefinition, RecurringJob } from './define-job.js';

/**
 * Every job the worker knows, and what recurs. Features add their definitions here — one
 * explicit list, so what runs in the background is visible in one place.
 */
export const jobDefinitions: JobDefinition[] = [syncConnectionJob];

export const recurringJobs: RecurringJob[] = [
  // Provider reconciliation: an hourly sync of every connection that is not backing off.
  { job: pollAllConnectionsJob, everyMs: 3_600_000, payload: {} },
];
