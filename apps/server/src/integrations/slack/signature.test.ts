import { describe, expect, it } from 'vitest';
import { budgetColour, progressBar } from './blocks.js';
import { parseAlertArgs } from './commands.js';
import { signSlackRequest, verifySlackSignature } from './signature.js';

const secret = '8f742231b10e8888abcd99yyyzzz85a5';
const body = Buffer.from('token=xyz&team_id=T1&command=%2Ftoktra-budget&text=');

describe('verifySlackSignature', () => {
  const now = 1_767_225_600_000;
  const ts = String(now / 1000);
  const good = signSlackRequest(secret, ts, body);

  it('accepts the v0 HMAC of v0:timestamp:body', () => {
    expect(good).toMatch(/^v0=[0-9a-f]{64}$/);
    expect(
      verifySlackSignature({ secret, rawBody: body, timestamp: ts, signature: good, nowMs: now }),
    ).toEqual({ ok: true });
  });

  it('refuses a wrong secret, another body, a stale timestamp, another version or missing headers', () => {
    const check = (over: Partial<Parameters<typeof verifySlackSignature>[0]>) =>
      verifySlackSignature({ secret, rawBody: body, timestamp: ts, signature: good, nowMs: now, ...over }).ok;
    expect(check({ secret: 'other' })).toBe(false);
    expect(check({ rawBody: Buffer.concat([body, Buffer.from('x')]) })).toBe(false);
    expect(check({ nowMs: now + 301_000 })).toBe(false);
    expect(check({ nowMs: now + 299_000 })).toBe(true);
    // A timestamp from the future would outlive the replay window: only a small skew is allowed.
    expect(check({ nowMs: now - 61_000 })).toBe(false);
    expect(check({ nowMs: now - 3_600_000 })).toBe(false);
    expect(check({ nowMs: now - 59_000 })).toBe(true);
    expect(check({ signature: good.replace('v0=', 'v1=') })).toBe(false);
    expect(check({ signature: `${good}0` })).toBe(false);
    expect(check({ signature: undefined })).toBe(false);
    expect(check({ timestamp: undefined })).toBe(false);
    expect(check({ timestamp: 'abc' })).toBe(false);
  });
});

describe('budget bar', () => {
  it('is green below 75 %, orange from 75 to 90 %, red above 90 %', () => {
    expect(budgetColour(74.9).colour).toBe('green');
    expect(budgetColour(75).colour).toBe('orange');
    expect(budgetColour(90).colour).toBe('orange');
    expect(budgetColour(90.1).colour).toBe('red');
    expect(progressBar(75.2)).toBe('███████████████░░░░░');
    expect(progressBar(140)).toBe('████████████████████');
    expect(progressBar(-3)).toBe('░░░░░░░░░░░░░░░░░░░░');
  });
});

describe('parseAlertArgs', () => {
  it('defaults to 10, accepts severity and limit up to 50, explains anything else', () => {
    expect(parseAlertArgs('')).toEqual({ ok: true, limit: 10 });
    expect(parseAlertArgs(' severity:CRITICAL  limit:5 ')).toEqual({
      ok: true,
      severity: 'critical',
      limit: 5,
    });
    expect(parseAlertArgs('limit:50')).toEqual({ ok: true, limit: 50 });
    for (const bad of [
      'limit:0',
      'limit:51',
      'limit:2.5',
      'severity:urgent',
      'severity:',
      'colour:red',
      'high',
      'a:b:c',
    ]) {
      const parsed = parseAlertArgs(bad);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.message).toContain('Usage: `/toktra-alerts');
    }
  });
});
