import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack refuses requests whose timestamp is older than this; so do we (replay window). */
export const MAX_REQUEST_AGE_S = 5 * 60;

/** How far ahead of our clock a request's timestamp may be. */
export const MAX_CLOCK_SKEW_S = 60;

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/** `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>` keyed with the signing secret. */
export function signSlackRequest(secret: string, timestamp: string, rawBody: Buffer | string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(rawBody).digest('hex')}`;
}

/**
 * Verifies `X-Slack-Signature` over the exact bytes received, in constant time, and refuses
 * timestamps older than five minutes (a replayed request) or more than a minute ahead. Like Bolt, only `v0` is accepted.
 */
export function verifySlackSignature(input: {
  secret: string;
  rawBody: Buffer;
  timestamp: string | undefined;
  signature: string | undefined;
  nowMs?: number;
}): SignatureCheck {
  const { timestamp, signature } = input;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'missing timestamp' };
  if (!signature?.startsWith('v0=')) return { ok: false, reason: 'missing or unknown signature version' };
  const nowS = Math.floor((input.nowMs ?? Date.now()) / 1000);
  if (Number(timestamp) < nowS - MAX_REQUEST_AGE_S) return { ok: false, reason: 'request is stale' };
  // A future timestamp would outlive the replay window; allow only a small clock skew.
  if (Number(timestamp) > nowS + MAX_CLOCK_SKEW_S) return { ok: false, reason: 'request is from the future' };
  const expected = Buffer.from(signSlackRequest(input.secret, timestamp, input.rawBody));
  const presented = Buffer.from(signature);
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
    return { ok: false, reason: 'signature mismatch' };
  }
  return { ok: true };
}
