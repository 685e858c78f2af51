import { availableParallelism } from 'node:os';
import { hash, verify } from '@node-rs/argon2';
import { AppError } from '@toktra/core';
import { collectFromStores, type Database } from '@toktra/db';
import { admitSignIn, recordSignInSuccess } from './sign-in-throttle.js';

/**
 * Password hashing is the costly part of a sign-in. At most half the cores hash at once and a
 * short queue waits; beyond it a sign-in is refused (429) at once, so a password spray cannot
 * starve the rest of the API of CPU.
 */
const MAX_HASHING = Math.max(1, Math.floor(availableParallelism() / 2));
const MAX_WAITING = 32;
let hashing = 0;
const waiting: (() => void)[] = [];

async function withHashSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (hashing >= MAX_HASHING) {
    if (waiting.length >= MAX_WAITING) {
      throw new AppError('rate_limited', 'sign-in is busy; try again in a moment', {
        retry_after_seconds: 1,
      });
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  } else {
    hashing += 1;
  }
  try {
    return await fn();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else hashing -= 1;
  }
}
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
  input: {
    email: string;
    password: string;
    orgId?: string | undefined;
    ip: string;
    deviceToken?: string | undefined;
  },
): Promise<{ orgId: string; userId: string; deviceToken: string }> {
  await admitSignIn(db, input);
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
  const match = await withHashSlot(async () => {
    for (const user of candidates) {
      if (user.password_hash && (await verify(user.password_hash, input.password).catch(() => false)))
        return user;
    }
    if (candidates.length === 0) await verify(await DUMMY_HASH, input.password).catch(() => false);
    return undefined;
  });
  if (match) {
    const deviceToken = await recordSignInSuccess(db, input.email);
    return { orgId: match.org_id, userId: match.id, deviceToken };
  }
  throw new AppError('unauthorized', 'wrong email or password');
}
