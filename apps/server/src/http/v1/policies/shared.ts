import { AppError, isUuid } from '@toktra/core';
import { z } from 'zod';
import { actionSchema, conditionSchema, severitySchema, triggerSchema } from '../../../policies/schema.js';
import { pathIdSchema } from '../../../validation.js';

/** Path ids: anything that is not a UUID cannot be one of this org's, so it is a 404 (not a 500). */
export function uuidOr404(id: string, what: string): string {
  if (!isUuid(id)) throw new AppError('not_found', `${what} ${id} not found`);
  return id;
}

export const idParams = z.object({ id: pathIdSchema() });

export const policySchema = z.object({
  id: z.string(),
  status: z.enum(['draft', 'published', 'disabled']),
  version: z.number(),
  current_version: z.number(),
  published_version: z.number().nullable(),
  has_unpublished_changes: z.boolean(),
  name: z.string(),
  description: z.string(),
  severity: severitySchema,
  trigger: triggerSchema,
  conditions: conditionSchema.nullable(),
  actions: z.array(actionSchema),
  created_at: z.string(),
  updated_at: z.string(),
});

export const policyVersionSchema = policySchema
  .pick({
    version: true,
    name: true,
    description: true,
    severity: true,
    trigger: true,
    conditions: true,
    actions: true,
  })
  .extend({ created_at: z.string(), created_by: z.string().nullable() });

/** Keyset cursors for newest-first lists: base64url of `created_at|id` of the last row. */
export function encodeKeyset(row: { created_at: string; id: string }): string {
  return Buffer.from(`${row.created_at}|${row.id}`).toString('base64url');
}

export function decodeKeyset(cursor: string | undefined): { at: Date; id: string } | undefined {
  if (!cursor) return undefined;
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!at || !id || Number.isNaN(Date.parse(at)) || !isUuid(id)) {
    throw new AppError('validation_failed', 'cursor is not valid (pass next_cursor from the previous page)');
  }
  return { at: new Date(at), id };
}

/** Fetch `limit + 1` rows, return `limit` and the next cursor. */
export function keysetPage<T extends { created_at: string; id: string }>(rows: T[], limit: number) {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return { data, next_cursor: rows.length > limit && last ? encodeKeyset(last) : null };
}
