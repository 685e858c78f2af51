import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config.js';
import { loadKeyring } from './keyring.js';
import { decryptSecret, encryptSecret } from './service.js';

const dir = () => mkdtempSync(path.join(tmpdir(), 'toktra-keyring-'));

describe('master key', () => {
  it('is generated once into <data-dir>/master.key with mode 0600, then reused', () => {
    const dataDir = dir();
    const config = resolveConfig({ dataDir }, {});
    const first = loadKeyring(config);
    const file = path.join(dataDir, 'master.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')).toHaveLength(32);
    expect(loadKeyring(config).current.id).toBe(first.current.id);
  });

  it('comes from TOKTRA_MASTER_KEY when set (and the data dir is untouched)', () => {
    const dataDir = dir();
    const key = randomBytes(32).toString('base64');
    const ctx = { keyring: () => loadKeyring(resolveConfig({ dataDir }, { TOKTRA_MASTER_KEY: key })) };
    const blob = encryptSecret(ctx, 'xoxb-slack-token');
    expect(decryptSecret(ctx, blob)).toBe('xoxb-slack-token');
    expect(() => statSync(path.join(dataDir, 'master.key'))).toThrow();
    const other = { keyring: () => loadKeyring(resolveConfig({ dataDir }, {})) };
    expect(() => decryptSecret(other, blob)).toThrow(/master key/);
  });

  it('refuses a master key that is not 32 bytes of base64', () => {
    const config = resolveConfig({ dataDir: dir() }, { TOKTRA_MASTER_KEY: 'c2hvcnQ=' });
    expect(() => loadKeyring(config)).toThrow(/32 random bytes/);
  });
});
