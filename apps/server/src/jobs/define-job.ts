import type { z } from 'zod';
import type { AppContext } from '../context.js';

export interface JobRun {
  id: number;
  orgId: string | null;
  attempt: number;
}

/** A job: a name, a payload schema and a handler. Handlers must be idempotent (at-least-once). */
export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  payload: S;
  maxAttempts?: number;
  run(ctx: AppContext, payload: z.output<S>, job: JobRun): Promise<void>;
}

export function defineJob<S extends z.ZodType>(definition: JobDefinition<S>): JobDefinition<S> {
  return definition;
}

/** Work that recurs: every `everyMs`, the runner enqueues `job` once (deduplicated per slot). */
export interface RecurringJob {
  job: JobDefinition;
  everyMs: number;
  payload?: unknown;
}
