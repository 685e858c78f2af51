import type { TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../context.js';
import { buildHttpApp, type HttpApp } from '../http/app.js';
import { delayAfter, KNOWN_DEVICE_COOKIE, SIGN_IN_RULES } from './sign-in-throttle.js';
import { createAuthTestContext, seedAuthOrg } from './testing.js';

let ctx: AppContext;
let handle: TestDatabase;
let app: HttpApp;
let otherProcess: HttpApp;

beforeAll(async () => {
  ({ ctx, handle } = await createAuthTestContext());
  app = await buildHttpApp(ctx);
  // A second app on the same database stands in for a second server process.
  otherProcess = await buildHttpApp(ctx);
  await seedAuthOrg(ctx, 'throttle');
});
afterAll(async () => {
  await app.close();
  await otherProcess.close();
  await handle.drop();
});

async function signIn(email: string, password: string, ip: string, cookie?: string, via = app) {
  const res = await via.inject({
    method: 'POST',
    url: '/auth/sign-in',
    payload: { email, password },
    remoteAddress: ip,
    ...(cookie ? { headers: { cookie } } : {}),
  });
  const cookies = [res.headers['set-cookie'] ?? []].flat().map((c) => String(c).split(';')[0] ?? '');
  return { res, device: cookies.find((c) => c.startsWith(`${KNOWN_DEVICE_COOKIE}=`)) };
}

describe('sign-in throttling', () => {
  it('one account guessed from 100 addresses: only the first few guesses are checked', async () => {
    const answers: number[] = [];
    for (let i = 0; i < 100; i++)
      answers.push((await signIn('employee@throttle.test', 'guess', `10.1.0.${i}`)).res.statusCode);
    // free + 1 guesses, then one more each time the doubling delay (1 s, 2 s, 4 s, …) has passed.
    const checked = answers.filter((s) => s === 401).length;
    expect(checked).toBeGreaterThanOrEqual(SIGN_IN_RULES.account.free + 1);
    expect(checked).toBeLessThanOrEqual(SIGN_IN_RULES.account.free + 6);
    expect(answers.filter((s) => s === 429).length).toBeGreaterThanOrEqual(100 - checked);
  });

  it('one address spraying many emails is slowed after its free attempts', async () => {
    const answers: number[] = [];
    for (let i = 0; i < SIGN_IN_RULES.ip.free + 10; i++)
      answers.push((await signIn(`nobody${i}@throttle.test`, 'guess', '10.2.0.1')).res.statusCode);
    expect(answers.filter((s) => s === 401).length).toBeLessThanOrEqual(SIGN_IN_RULES.ip.free + 6);
    const limited = await signIn('another@throttle.test', 'guess', '10.2.0.1');
    expect(limited.res.statusCode).toBe(429);
    expect(limited.res.json().error.details.retry_after_seconds).toBeGreaterThan(0);
  });

  it("an attacker on the real user's address cannot keep them out: their known browser still signs in", async () => {
    const first = await signIn('manager@throttle.test', 'correct horse', '10.3.0.1');
    expect(first.res.statusCode).toBe(200);
    expect(first.device).toBeDefined();
    for (let i = 0; i < 40; i++) await signIn('manager@throttle.test', 'guess', '10.3.0.1');
    expect((await signIn('manager@throttle.test', 'correct horse', '10.3.0.1')).res.statusCode).toBe(429);
    const known = await signIn('manager@throttle.test', 'correct horse', '10.3.0.1', first.device);
    expect(known.res.statusCode).toBe(200);
    // A device cookie of another account, or a made-up one, does not help.
    const forged = await signIn(
      'manager@throttle.test',
      'correct horse',
      '10.3.0.1',
      `${KNOWN_DEVICE_COOKIE}=x`,
    );
    expect(forged.res.statusCode).toBe(429);
  });

  it('is shared by every server process (the state lives in the database)', async () => {
    for (let i = 0; i < SIGN_IN_RULES.account.free + 1; i++)
      await signIn('auditor@throttle.test', 'guess', `10.4.0.${i}`, undefined, app);
    const elsewhere = await signIn(
      'auditor@throttle.test',
      'correct horse',
      '10.4.1.1',
      undefined,
      otherProcess,
    );
    expect(elsewhere.res.statusCode).toBe(429);
  });

  it('grows the delay by doubling up to a cap, never a permanent lockout', () => {
    const rule = SIGN_IN_RULES.account;
    expect(delayAfter(rule, rule.free)).toBe(0);
    expect(delayAfter(rule, rule.free + 1)).toBe(1000);
    expect(delayAfter(rule, rule.free + 2)).toBe(2000);
    expect(delayAfter(rule, rule.free + 1000)).toBe(rule.maxDelayMs);
  });
});
