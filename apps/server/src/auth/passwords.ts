import { hash, verify } from '@node-rs/argon2';
import { AppError } from '@toktra/core';
import { collectFromStores, type Database } from '@toktra/db';
import { AttemptLimiter } from './rate-limit.js';

/** 10 attempts per IP+email per 15 minutes; a success clears the counter. */
const limiter = new AttemptLimiter(10, 15 * 60 * 1000);
// Verifying against a real hash even for unknown emails keeps the timing of both answers alike.
const DUMMY_HASH = hash('toktra-no-such-user');

export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/**
 * Checks an email + password across orgs (emails are unique per org, not globally; `orgId` picks
 * one when the same email exists in several). Throws `rate_limited` or `unauthorized`.
 */
export async function verifyPasswordSignIn(
  db: Database,
  input: { email: string; password: string; orgId?: string | undefined; ip: string },
): Promise<{ orgId: string; userId: string }> {
  const key = `${input.ip}|${input.email.toLowerCase()}`;
  const gate = limiter.hit(key);
  if (!gate.allowed) {
    throw new AppError('rate_limited', 'too many sign-in attempts; try again later', {
      retry_after_seconds: gate.retryAfterSeconds,
    });
  }
  const candidates = await collectFromStores(db, ({ db: trx }) => {
    let query = trx
      .selectFrom('users')
      .select(['id', 'org_id', 'password_hash'])
      .where((eb) => eb(eb.fn('lower', ['email']), '=', input.email.toLowerCase()))
      .where('password_hash', 'is not', null)
      .limit(5);
    if (input.orgId) query = query.where('org_id', '=', input.orgId);
    return query.execute();
  });
  for (const user of candidates) {
    if (user.password_hash && (await verify(user.password_hash, input.password).catch(() => false))) {
      limiter.reset(key);
      return { orgId: user.org_id, userId: user.id };
    }
  }
  if (candidates.length === 0) await verify(await DUMMY_HASH, input.password).catch(() => false);
  throw new AppError('unauthorized', 'wrong email or password');
}
