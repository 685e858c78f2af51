import { AppError } from '@toktra/core';
import type { z } from 'zod';

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
