import {
  chownSync,
  linkSync,
  mkdtempSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { statePaths, writeStateFile } from '../state-dir.js';
import { type PortalPrivacy, PrivacyPolicy, privacyPaths } from './policy.js';
import { prepareRequestDir, processRequests } from './requests.js';

function setup(portal?: Omit<PortalPrivacy, 'fetched_at'>) {
  const dir = mkdtempSync(path.join(tmpdir(), 'toktra-privacy-'));
  const paths = statePaths(dir);
  const passwd = path.join(dir, 'passwd');
  writeFileSync(
    passwd,
    'root:x:0:0::/root:/bin/sh\nalice:x:1001:1001::/h:/bin/sh\nbob:x:1002:1002::/h:/bin/sh\n',
  );
  if (portal)
    writeStateFile(
      privacyPaths(paths).portal,
      JSON.stringify({ fetched_at: new Date().toISOString(), ...portal }),
    );
  return { paths, policy: new PrivacyPolicy(paths, { passwdFile: passwd, cacheMs: 0 }) };
}

const alice = { uid: 1001, user: 'alice' };
const bob = { uid: 1002, user: 'bob' };
const root = { uid: 0, user: 'root' };
const paused = { timeZone: 'UTC', windows: [], pausedUntil: 'indefinite' as const };
const always = { timeZone: 'UTC', windows: [{ start: '00:00', end: '23:59' }] };

describe('Privacy Hours policy on a device', () => {
  it('a portal pause of one person drops only their connections; capture stops when everyone is private', () => {
    const { policy } = setup({ default: paused, os_users: { root: paused, alice: paused, bob: null } });
    expect(policy.isPrivateFor(alice)).toBe(true);
    expect(policy.isPrivateFor(root)).toBe(true);
    expect(policy.isPrivateFor(bob)).toBe(false);
    expect(policy.isPrivateFor(undefined)).toBe(true); // unattributed: could be alice's
    expect(policy.captureBlocked()).toBe(false); // bob is still observed
    expect(policy.state()).toBe('active');

    const solo = setup({ default: always, os_users: { root: always, alice: always } }).policy;
    expect(solo.captureBlocked()).toBe(true);
  });

  it('device-local and portal settings combine: either one being private wins', () => {
    const { paths, policy } = setup({ default: null, os_users: { alice: null, bob: null } });
    expect(policy.isPrivateFor(alice)).toBe(false);
    expect(policy.state()).toBe('off');
    writeStateFile(privacyPaths(paths).user(1001), JSON.stringify(paused));
    expect(policy.isPrivateFor(alice)).toBe(true);
    expect(policy.isPrivateFor(bob)).toBe(false);
    writeStateFile(paths.privacy, JSON.stringify(paused)); // device-wide
    expect(policy.isPrivateFor(bob)).toBe(true);
    expect(policy.captureBlocked()).toBe(true);
  });

  it('keeps enforcing the last portal answer when nothing new arrives (offline), timed pauses still end', () => {
    const soon = { timeZone: 'UTC', windows: [], pausedUntil: new Date(Date.now() + 60_000).toISOString() };
    const { policy } = setup({ default: soon, os_users: {} });
    expect(policy.isPrivateFor(alice)).toBe(true);
    expect(policy.isPrivateFor(alice, new Date(Date.now() + 120_000))).toBe(false);
  });
});

describe('the request directory (privacy without sudo)', () => {
  it('applies a request to the settings of the account that owns the file, and answers it', () => {
    const { paths, policy } = setup({ default: null, os_users: {} });
    prepareRequestDir(paths);
    const dir = privacyPaths(paths).requests;
    expect(statSync(dir).mode & 0o7777).toBe(0o1733);
    expect(statSync(paths.dir).mode & 0o011).toBe(0o011);
    const request = path.join(dir, `${'a'.repeat(32)}.req`);
    writeFileSync(request, JSON.stringify({ op: 'pause', minutes: 30 }));
    chownSync(request, 1001, 1001); // as if alice had created it
    expect(processRequests(paths, policy, new Map([[1001, 'alice']]))).toBe(1);
    const stored = JSON.parse(readFileSync(privacyPaths(paths).user(1001), 'utf8'));
    expect(Date.parse(stored.pausedUntil)).toBeGreaterThan(Date.now());
    const reply = path.join(dir, `${'a'.repeat(32)}.res`);
    expect(statSync(reply).uid).toBe(1001);
    expect(JSON.parse(readFileSync(reply, 'utf8'))).toMatchObject({ ok: true, private: true });
    expect(policy.isPrivateFor(alice)).toBe(true);
    expect(policy.isPrivateFor(bob)).toBe(false);
  });

  it('refuses hard links to another account’s file, symlinks and garbage', () => {
    const { paths, policy } = setup({ default: null, os_users: {} });
    prepareRequestDir(paths);
    const dir = privacyPaths(paths).requests;
    const bobsFile = path.join(paths.dir, 'bobs.json');
    writeFileSync(bobsFile, JSON.stringify({ op: 'clear' }));
    chownSync(bobsFile, 1002, 1002);
    linkSync(bobsFile, path.join(dir, `${'b'.repeat(32)}.req`));
    symlinkSync(bobsFile, path.join(dir, `${'c'.repeat(32)}.req`));
    writeFileSync(path.join(dir, `${'d'.repeat(32)}.req`), '{"op":"rm -rf"}');
    processRequests(paths, policy, new Map());
    expect(JSON.parse(readFileSync(path.join(dir, `${'b'.repeat(32)}.res`), 'utf8')).ok).toBe(false);
    expect(JSON.parse(readFileSync(path.join(dir, `${'d'.repeat(32)}.res`), 'utf8')).ok).toBe(false);
    expect(() => statSync(privacyPaths(paths).user(1002))).toThrow();
  });
});
