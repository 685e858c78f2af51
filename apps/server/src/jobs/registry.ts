import type { JobDefinition, RecurringJob } from './define-job.js';

/**
 * Every job the worker knows, and what recurs. Features add their definitions here — one
 * explicit list, so what runs in the background is visible in one place.
 */
export const jobDefinitions: JobDefinition[] = [];

export const recurringJobs: RecurringJob[] = [];
