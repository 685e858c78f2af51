import { isUuidV7, PATH_CLASSES } from '@toktra/core';
import { z } from 'zod';
import { MAX_BYTES, MAX_DURATION_MS, MAX_FUTURE_SKEW_MS } from '../usage/event-input.js';
import { describeIssues } from '../validation.js';

/** Largest batch the extension may send at once (it sends 50 or every 5 s). */
export const MAX_EXTENSION_BATCH = 500;

const size = z.number().int().min(0).max(MAX_BYTES).nullish();

/**
 * One observed request. Strict: an unknown field (a URL, a body, a page title) is refused rather
 * than ignored, so a misbehaving extension build cannot widen what is collected.
 */
export const extensionRequestSchema = z
  .object({
    id: z.string().refine(isUuidV7, 'must be a UUIDv7'),
    started_at: z.iso.datetime({ offset: true }),
    duration_ms: z.number().int().min(0).max(MAX_DURATION_MS).nullish(),
    host: z
      .string()
      .trim()
      .toLowerCase()
      .min(1)
      .max(253)
      .regex(/^[a-z0-9.-]+$/, 'must be a host name'),
    path_class: z.enum(PATH_CLASSES),
    method: z.string().regex(/^[A-Z]{1,10}$/, 'must be an HTTP method'),
    model: z.string().trim().min(1).max(120).nullish(),
    status_code: z.number().int().min(0).max(999).nullish(),
    bytes_up: size,
    bytes_down: size,
  })
  .strict();

export type ExtensionRequestInput = z.infer<typeof extensionRequestSchema>;

export interface ValidRequest {
  index: number;
  id: string;
  startedAt: Date;
  endedAt: Date | null;
  durationMs: number | null;
  host: string;
  pathClass: string;
  method: string;
  model: string | null;
  statusCode: number | null;
  bytesUp: number;
  bytesDown: number;
}

export type RequestOutcome =
  | { ok: true; request: ValidRequest }
  | { ok: false; rejection: { index: number; code: string; message: string } };

export function validateRequest(raw: unknown, index: number, now: number, oldestMs: number): RequestOutcome {
  const parsed = extensionRequestSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      rejection: { index, code: 'invalid_event', message: describeIssues(parsed.error.issues) },
    };
  }
  const r = parsed.data;
  const startedAt = new Date(r.started_at);
  if (startedAt.getTime() > now + MAX_FUTURE_SKEW_MS) {
    return {
      ok: false,
      rejection: {
        index,
        code: 'future_timestamp',
        message: 'started_at is more than 5 minutes ahead of the server clock',
      },
    };
  }
  if (startedAt.getTime() < oldestMs) {
    return {
      ok: false,
      rejection: {
        index,
        code: 'ancient_timestamp',
        message: "started_at is older than the org's retention",
      },
    };
  }
  const durationMs = r.duration_ms ?? null;
  return {
    ok: true,
    request: {
      index,
      id: r.id.toLowerCase(),
      startedAt,
      endedAt: durationMs === null ? null : new Date(startedAt.getTime() + durationMs),
      durationMs,
      host: r.host,
      pathClass: r.path_class,
      method: r.method,
      model: r.model ?? null,
      statusCode: r.status_code ?? null,
      bytesUp: r.bytes_up ?? 0,
      bytesDown: r.bytes_down ?? 0,
    },
  };
}
