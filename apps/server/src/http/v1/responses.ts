import { z } from 'zod';

/** The one error body of the API (see http/error-handler.ts). */
export const errorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});

/** Error responses every authenticated /v1 route can give, for the OpenAPI document. */
export const commonErrors = {
  400: errorSchema.describe('validation_failed: the input does not match the schema'),
  401: errorSchema.describe('unauthorized: no or an invalid API key'),
  403: errorSchema.describe('forbidden: the API key lacks the scope'),
  404: errorSchema.describe('not_found: no such resource in this org'),
  429: errorSchema.describe('rate_limited: retry after the Retry-After header'),
} as const;

/** Ids in paths and filters: any short string; one that is not an id of this org is a 404. */
export const idSchema = z.string().min(1).max(100);

/** `YYYY-MM-DD`, a real calendar date. */
export const dateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD')
  .refine((d) => {
    const parsed = new Date(`${d}T00:00:00Z`);
    return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === d;
  }, 'must be a real calendar date');
