import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mapGithubEvent } from './map-event.js';
import { verifyGithubSignature } from './service.js';

describe('mapGithubEvent', () => {
  it('maps a repository made public to a critical risk by the sender', () => {
    expect(
      mapGithubEvent('repository', {
        action: 'publicized',
        repository: { full_name: 'o/r' },
        sender: { login: 'Ann' },
      }),
    ).toMatchObject({ kind: 'repository_publicized', level: 'critical', login: 'Ann', repository: 'o/r' });
    expect(mapGithubEvent('repository', { action: 'privatized' })).toBeNull();
  });

  it('maps secret scanning (critical when push protection was bypassed, attributed to the bypasser)', () => {
    expect(
      mapGithubEvent('secret_scanning_alert', {
        action: 'created',
        alert: { secret_type: 'x' },
        sender: { login: 's' },
      }),
    ).toMatchObject({
      level: 'high',
      login: 's',
    });
    expect(
      mapGithubEvent('secret_scanning_alert', {
        action: 'created',
        alert: { push_protection_bypassed: true, push_protection_bypassed_by: { login: 'dev' } },
        sender: { login: 'github' },
      }),
    ).toMatchObject({ level: 'critical', login: 'dev' });
    expect(mapGithubEvent('secret_scanning_alert', { action: 'resolved' })).toBeNull();
  });

  it('maps code scanning by security severity, else rule severity', () => {
    const level = (rule: object) =>
      mapGithubEvent('code_scanning_alert', { action: 'created', alert: { rule } })?.level;
    expect(level({ security_severity_level: 'critical', severity: 'note' })).toBe('critical');
    expect(level({ severity: 'error' })).toBe('high');
    expect(level({ severity: 'warning' })).toBe('medium');
    expect(level({ severity: 'note' })).toBe('low');
    expect(level({})).toBe('medium');
    expect(mapGithubEvent('code_scanning_alert', { action: 'fixed', alert: {} })).toBeNull();
    expect(mapGithubEvent('push', { action: 'created' })).toBeNull();
  });
});

describe('verifyGithubSignature', () => {
  const body = Buffer.from('{"zen":"Keep it logically awesome."}');
  const good = `sha256=${createHmac('sha256', "It's a Secret to Everybody").update(body).digest('hex')}`;
  it('accepts exactly the HMAC of the raw body', () => {
    expect(verifyGithubSignature("It's a Secret to Everybody", body, good)).toBe(true);
    expect(verifyGithubSignature("It's a Secret to Everybody", Buffer.from(`${body} `), good)).toBe(false);
    expect(verifyGithubSignature('other', body, good)).toBe(false);
    expect(verifyGithubSignature("It's a Secret to Everybody", body, good.toUpperCase())).toBe(false);
    expect(verifyGithubSignature("It's a Secret to Everybody", body, undefined)).toBe(false);
    expect(verifyGithubSignature("It's a Secret to Everybody", body, 'sha256=00')).toBe(false);
  });

  it('matches GitHub’s documented test vector', () => {
    // docs.github.com "Validating webhook deliveries": secret "It's a Secret to Everybody", payload "Hello, World!"
    expect(
      verifyGithubSignature(
        "It's a Secret to Everybody",
        Buffer.from('Hello, World!'),
        'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
      ),
    ).toBe(true);
  });
});
