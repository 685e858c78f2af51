import { AppError, isUuid } from '@toktra/core';
import { z } from 'zod';

/** Describes Zod issues as one readable line: `name: Too small; scopes.0: Invalid option`. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

export function parseInput<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const result = schema.safeParse(raw);
  if (!result.success) throw new AppError('validation_failed', describeIssues(result.error.issues));
  return result.data;
}

/*
 * Shared building blocks for route schemas. Each one refuses, with a 400, what the database would
 * otherwise refuse with a 500: PostgreSQL text cannot hold NUL, UTF-8 cannot hold a lone surrogate,
 * `date` needs a real calendar day, `uuid` a UUID, and `integer` fits in 32 bits.
 */

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** False for strings holding NUL or an unpaired UTF-16 surrogate (neither can be stored). */
export function isSafeText(s: string): boolean {
  return !s.includes('\0') && !LONE_SURROGATE.test(s);
}

/** The path and reason of the first string in `value` that cannot be stored, if any. */
export function findUnsafeText(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string')
    return isSafeText(value) ? undefined : `${path || 'value'}: must not contain NUL or unpaired surrogates`;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const found =
      (isSafeText(key)
        ? undefined
        : `${path || 'value'}: keys must not contain NUL or unpaired surrogates`) ??
      findUnsafeText(item, path ? `${path}.${key}` : key);
    if (found) return found;
  }
  return undefined;
}

/** Free text of at most `max` characters that PostgreSQL can store. */
export const safeText = (max: number) =>
  z.string().max(max).refine(isSafeText, 'must not contain NUL or unpaired surrogates');

/** The largest value of a PostgreSQL `integer` column. */
export const INT32_MAX = 2 ** 31 - 1;

/** An integer that fits its `integer` column (default 0 ≤ n ≤ 2³¹−1). */
export const boundedInt = (min = 0, max = INT32_MAX) => z.number().int().min(min).max(max);

const realDay = (d: string) => {
  const parsed = new Date(`${d}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === d;
};

/** `YYYY-MM-DD`, a real calendar date (2026-02-30 and 2026-13-01 are refused), years 1000–9999. */
export const calendarDateSchema = z
  .string()
  .regex(/^[1-9]\d{3}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD')
  .refine(realDay, 'must be a real calendar date');

/** `YYYY-MM`, a real month, years 1000–9999. */
export const monthSchema = z.string().regex(/^[1-9]\d{3}-(0[1-9]|1[0-2])$/, 'must be YYYY-MM');

/** A reference to a row in a body or query (`department_id`, …): a UUID, or a 400. */
export const uuidRefSchema = z.guid('must be a UUID');

/** Marks an issue as "no such resource" rather than "bad input" (see http/safe-input.ts). */
export const NOT_FOUND_ISSUE = 'not_found';

/**
 * A path id: anything that is not a UUID cannot name a row, so it answers 404 `not_found` (like
 * an id of another org) instead of reaching the database as an invalid `uuid`.
 */
export const pathIdSchema = () =>
  z
    .string()
    .min(1)
    .max(100)
    .superRefine((id, ctx) => {
      if (!isUuid(id))
        ctx.addIssue({ code: 'custom', message: `${id} not found`, params: { kind: NOT_FOUND_ISSUE } });
    });
