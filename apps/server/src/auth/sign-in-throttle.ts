import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '@toktra/core';
import type { Database, Tx } from '@toktra/db';

/**
 * Sign-in throttling, in the database so every server process shares it. Three buckets are hit
 * by each attempt: the account (email), the client address, and the whole deployment. Each allows
 * some attempts per window, then spaces further ones by a delay that doubles up to a cap — a
 * delay, never a lockout. A browser that signed in to the account before carries a known-device
 * cookie and skips the buckets, so an attacker hammering an account (even from the same address)
 * cannot keep its real owner out.
 */

interface Rule {
  windowMs: number;
  /** Attempts per window before any delay. */
  free: number;
  maxDelayMs: number;
}

const MINUTE = 60_000;
export const SIGN_IN_RULES: Record<'account' | 'ip' | 'all', Rule> = {
  account: { windowMs: 24 * 60 * MINUTE, free: 5, maxDelayMs: 15 * MINUTE },
  ip: { windowMs: 60 * MINUTE, free: 30, maxDelayMs: 15 * MINUTE },
  all: { windowMs: MINUTE, free: 300, maxDelayMs: MINUTE },
};
/** How long a browser stays known after a successful sign-in. */
export const KNOWN_DEVICE_MS = 30 * 24 * 60 * MINUTE;
export const KNOWN_DEVICE_COOKIE = 'toktra_known_device';

const hashKey = (kind: string, value: string) =>
  `${kind}:${createHash('sha256').update(`toktra-sign-in|${kind}|${value}`).digest('hex')}`;
const deviceKey = (token: string, email: string) => hashKey('device', `${token}|${email.toLowerCase()}`);

/** The delay after the `attempts`-th attempt of a window before the next one is allowed. */
export function delayAfter(rule: Rule, attempts: number): number {
  if (attempts <= rule.free) return 0;
  return Math.min(1000 * 2 ** (attempts - rule.free - 1), rule.maxDelayMs);
}

/** Counts one attempt in a bucket; returns the milliseconds still to wait (0 = allowed). */
async function hit(tx: Tx['db'], key: string, rule: Rule, now: Date): Promise<number> {
  const row = await tx
    .selectFrom('sign_in_throttle')
    .selectAll()
    .where('key', '=', key)
    .forUpdate()
    .executeTakeFirst();
  const fresh = !row || row.window_started_at.getTime() <= now.getTime() - rule.windowMs;
  const waitMs = fresh || !row.blocked_until ? 0 : row.blocked_until.getTime() - now.getTime();
  if (waitMs > 0) return waitMs;
  const attempts = fresh ? 1 : row.attempts + 1;
  const delay = delayAfter(rule, attempts);
  const values = {
    key,
    attempts,
    window_started_at: fresh ? now : row.window_started_at,
    blocked_until: delay ? new Date(now.getTime() + delay) : null,
  };
  await tx
    .insertInto('sign_in_throttle')
    .values(values)
    .onConflict((oc) => oc.column('key').doUpdateSet(values))
    .execute();
  return 0;
}

/**
 * Admits one sign-in attempt or throws `rate_limited` with `retry_after_seconds`. A valid
 * known-device token for this email skips the buckets.
 */
export async function admitSignIn(
  db: Database,
  input: { email: string; ip: string; deviceToken?: string | undefined },
): Promise<void> {
  const email = input.email.toLowerCase();
  const now = new Date();
  const waitMs = await db.system(async ({ db: tx }) => {
    if (input.deviceToken) {
      const known = await tx
        .selectFrom('sign_in_throttle')
        .select('key')
        .where('key', '=', deviceKey(input.deviceToken, email))
        .where('window_started_at', '>', new Date(now.getTime() - KNOWN_DEVICE_MS))
        .executeTakeFirst();
      if (known) return 0;
    }
    if (Math.random() < 0.01) await sweep(tx, now);
    return Math.max(
      await hit(tx, 'all', SIGN_IN_RULES.all, now),
      await hit(tx, hashKey('ip', input.ip), SIGN_IN_RULES.ip, now),
      await hit(tx, hashKey('account', email), SIGN_IN_RULES.account, now),
    );
  });
  if (waitMs > 0) {
    throw new AppError('rate_limited', 'too many sign-in attempts; try again later', {
      retry_after_seconds: Math.ceil(waitMs / 1000),
    });
  }
}

/** After a correct password: the account's bucket starts over and this browser becomes known. */
export async function recordSignInSuccess(db: Database, email: string): Promise<string> {
  const token = randomBytes(24).toString('base64url');
  await db.system(async ({ db: tx }) => {
    await tx
      .deleteFrom('sign_in_throttle')
      .where('key', '=', hashKey('account', email.toLowerCase()))
      .execute();
    await tx
      .insertInto('sign_in_throttle')
      .values({
        key: deviceKey(token, email),
        attempts: 0,
        window_started_at: new Date(),
        blocked_until: null,
      })
      .execute();
  });
  return token;
}

/** Buckets whose window ended long ago and expired device keys. */
async function sweep(tx: Tx['db'], now: Date): Promise<void> {
  await tx
    .deleteFrom('sign_in_throttle')
    .where('window_started_at', '<', new Date(now.getTime() - KNOWN_DEVICE_MS - MINUTE))
    .execute();
}
