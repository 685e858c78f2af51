import { isUuid, isUuidV7 } from '@toktra/core';
import { z } from 'zod';
import { describeIssues } from '../validation.js';

/** Largest batch one request may carry (agents send 50; backfills up to this). */
export const MAX_BATCH_EVENTS = 5000;
/** Clock skew we tolerate from a device before calling a timestamp "in the future". */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;
/** Oldest event accepted regardless of the org's retention. */
export const MAX_AGE_DAYS = 400;
/** One connection moving more than 1 TiB, or lasting over a week, is a broken counter. */
export const MAX_BYTES = 2 ** 40;
export const MAX_DURATION_MS = 7 * 24 * 3_600_000;
/** A single reported call of over a billion tokens is not a real call. */
export const MAX_TOKENS = 1_000_000_000;

/** Codes of per-event rejections, as returned in `rejected[].code`. */
export type RejectionCode =
  | 'invalid_event'
  | 'personal_event'
  | 'future_timestamp'
  | 'ancient_timestamp'
  | 'invalid_count'
  | 'unknown_host'
  | 'unknown_user';

export interface Rejection {
  index: number;
  code: RejectionCode;
  message: string;
}

/** An event that passed validation, before enrichment. Agent and API events share this shape. */
export interface ValidEvent {
  index: number;
  id: string;
  occurredAt: Date;
  endedAt: Date | null;
  source: 'agent' | 'proxy' | 'extension' | 'api';
  host: string | null;
  transport: 'tcp' | 'quic' | null;
  bytesUp: number;
  bytesDown: number;
  durationMs: number | null;
  osUser: string | null;
  /** The agent could not learn the socket's owner (and the device has several accounts). */
  osUserUnknown: boolean;
  /** Capture-mode agents: the exchange's number on its connection (0 carries the handshake). */
  seq: number | null;
  model: string | null;
  /** API events only: who and which provider the reporter states. */
  provider: string | null;
  userEmail: string | null;
  userId: string | null;
  reportedInput: number | null;
  reportedOutput: number | null;
}

const timestamp = z.iso.datetime({ offset: true });
// Counts are checked after the schema so that a negative or absurd one gets its own code.
const count = z.number();
const text = (max: number) => z.string().trim().min(1).max(max);

/** One agent event on the wire; docs/compliance/dpia.md lists these fields (a test compares). */
export const agentEventSchema = z.object({
  id: z.string().refine(isUuidV7, 'must be a UUIDv7'),
  occurred_at: timestamp,
  ended_at: timestamp.nullish(),
  host: text(253),
  transport: z.enum(['tcp', 'quic']),
  bytes_up: count,
  bytes_down: count,
  duration_ms: count.nullish(),
  os_user: text(256).nullish(),
  os_user_unknown: z.boolean().optional(),
  connection_id: z.string().refine(isUuid, 'must be a UUID').optional(),
  seq: z.number().int().min(0).max(1_000_000_000).optional(),
  personal: z.boolean().optional(),
  source: z.enum(['agent', 'proxy', 'extension']).default('agent'),
  model: text(200).nullish(),
  path_class: text(64).nullish(),
});

const apiEventSchema = z
  .object({
    id: z.string().refine(isUuid, 'must be a UUID'),
    occurred_at: timestamp,
    user_email: z.email().max(320).optional(),
    user_id: z.string().refine(isUuid, 'must be a UUID').optional(),
    provider: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be a lower-case provider id'),
    host: text(253).optional(),
    model: text(200).optional(),
    input_tokens: count.optional(),
    output_tokens: count.optional(),
    bytes_up: count.optional(),
    bytes_down: count.optional(),
    duration_ms: count.optional(),
    personal: z.boolean().optional(),
  })
  .refine((e) => e.user_email !== undefined || e.user_id !== undefined, {
    message: 'user_email or user_id is required',
  });

/** Public schema of one `POST /v1/events` item, for the OpenAPI document. */
export const apiEventInputSchema = apiEventSchema;

type Outcome = { ok: true; event: ValidEvent } | { ok: false; rejection: Rejection };

function reject(index: number, code: RejectionCode, message: string): Outcome {
  return { ok: false, rejection: { index, code, message } };
}

function checkCount(name: string, value: number | null | undefined, max: number): string | null {
  if (value === null || value === undefined) return null;
  if (!Number.isInteger(value)) return `${name} must be a whole number, got ${value}`;
  if (value < 0) return `${name} must not be negative, got ${value}`;
  if (value > max) return `${name} of ${value} exceeds the maximum of ${max}`;
  return null;
}

/** Validates one raw event. `now` and `oldest` bound its timestamps. */
export function validateEvent(
  raw: unknown,
  index: number,
  kind: 'device' | 'api',
  bounds: { now: number; oldestMs: number; oldestDays: number },
): Outcome {
  // Checked before anything else: a personal-mode event is refused even when malformed, and no
  // part of it is looked at further.
  if (typeof raw === 'object' && raw !== null && (raw as { personal?: unknown }).personal === true) {
    return reject(index, 'personal_event', 'personal-mode events are never stored in corporate data');
  }
  const parsed = (kind === 'device' ? agentEventSchema : apiEventSchema).safeParse(raw);
  if (!parsed.success) return reject(index, 'invalid_event', describeIssues(parsed.error.issues));
  const e = parsed.data;
  const isApi = 'provider' in e;
  const counts: Array<[string, number | null | undefined, number]> = [
    ['bytes_up', e.bytes_up, MAX_BYTES],
    ['bytes_down', e.bytes_down, MAX_BYTES],
    ['duration_ms', e.duration_ms, MAX_DURATION_MS],
  ];
  if (isApi)
    counts.push(['input_tokens', e.input_tokens, MAX_TOKENS], ['output_tokens', e.output_tokens, MAX_TOKENS]);
  for (const [name, value, max] of counts) {
    const problem = checkCount(name, value, max);
    if (problem) return reject(index, 'invalid_count', problem);
  }

  const occurredAt = new Date(e.occurred_at);
  const endedAt = !isApi && e.ended_at ? new Date(e.ended_at) : null;
  for (const [name, at] of [
    ['occurred_at', occurredAt],
    ['ended_at', endedAt],
  ] as const) {
    if (at && at.getTime() > bounds.now + MAX_FUTURE_SKEW_MS) {
      return reject(
        index,
        'future_timestamp',
        `${name} ${at.toISOString()} is more than 5 minutes ahead of the server clock`,
      );
    }
  }
  if (occurredAt.getTime() < bounds.oldestMs) {
    return reject(
      index,
      'ancient_timestamp',
      `occurred_at ${occurredAt.toISOString()} is older than ${bounds.oldestDays} days (the org's retention)`,
    );
  }
  if (endedAt && endedAt < occurredAt)
    return reject(index, 'invalid_event', 'ended_at is before occurred_at');

  return {
    ok: true,
    event: {
      index,
      id: e.id.toLowerCase(),
      occurredAt,
      endedAt,
      source: isApi ? 'api' : e.source,
      host: e.host ?? null,
      transport: isApi ? null : e.transport,
      bytesUp: e.bytes_up ?? 0,
      bytesDown: e.bytes_down ?? 0,
      durationMs: e.duration_ms ?? null,
      osUser: isApi ? null : (e.os_user?.toLowerCase() ?? null),
      osUserUnknown: !isApi && e.os_user_unknown === true && !e.os_user,
      seq: isApi ? null : (e.seq ?? null),
      model: e.model ?? null,
      provider: isApi ? e.provider : null,
      userEmail: isApi ? (e.user_email?.toLowerCase() ?? null) : null,
      userId: isApi ? (e.user_id?.toLowerCase() ?? null) : null,
      reportedInput: isApi ? (e.input_tokens ?? null) : null,
      reportedOutput: isApi ? (e.output_tokens ?? null) : null,
    },
  };
}
