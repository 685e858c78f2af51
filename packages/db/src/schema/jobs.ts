import type { ColumnType, Generated } from 'kysely';

export type JobStatus = 'queued' | 'running' | 'done' | 'dead';

/**
 * The background job queue. Not a tenant table: only the worker (as owner) reads it; a job's
 * handler receives its org_id and does its tenant work through `withTenant`.
 */
export interface JobsTable {
  id: Generated<number>;
  name: string;
  org_id: string | null;
  payload: ColumnType<unknown, string, string>;
  status: Generated<JobStatus>;
  run_at: Generated<Date>;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  locked_until: Date | null;
  last_error: string | null;
  dedupe_key: string | null;
  created_at: ColumnType<Date, never, never>;
  finished_at: Date | null;
}

export interface JobSchedulesTable {
  name: string;
  last_slot: number;
}

export interface PartialDB {
  jobs: JobsTable;
  job_schedules: JobSchedulesTable;
}
