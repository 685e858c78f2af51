import { AppError } from '@toktra/core';
import { z } from 'zod';

/** Query parameters of every cursor-paginated list. */
export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/** Cursors are opaque to clients: base64url of the last row's id (lists are ordered by id). */
export function encodeCursor(lastId: string): string {
  return Buffer.from(JSON.stringify({ after: lastId })).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof parsed.after === 'string' && /^[0-9a-f-]{36}$/i.test(parsed.after)) return parsed.after;
  } catch {
    // fall through
  }
  throw new AppError('validation_failed', 'cursor is not valid (pass next_cursor from the previous page)');
}

/** Turns `limit + 1` fetched rows into a page and the cursor of the next one. */
export function toPage<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return { data, next_cursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}
