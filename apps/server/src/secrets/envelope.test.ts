import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptWithKeyring, encryptWithKeyring, rewrapWithKeyring } from './envelope.js';
import { createKeyring, type Kek, kekId } from './keyring.js';

function newKek(): Kek {
  const key = randomBytes(32);
  return { id: kekId(key), key };
}

describe('envelope encryption', () => {
  const kek = newKek();
  const keyring = createKeyring(kek);
  const secret = 'sk-live-very-secret-provider-credential';

  it('round-trips, and the blob contains no plaintext in any encoding', () => {
    const blob = encryptWithKeyring(keyring, secret, 'row:1');
    expect(decryptWithKeyring(keyring, blob, 'row:1').toString()).toBe(secret);
    expect(blob.startsWith(`tks1.${kek.id}.`)).toBe(true);
    for (const encoding of ['utf8', 'base64', 'base64url', 'hex'] as const) {
      expect(blob).not.toContain(Buffer.from(secret).toString(encoding).slice(0, 16));
    }
    expect(Buffer.from(blob).includes(Buffer.from(secret))).toBe(false);
  });

  it('uses a fresh data key per record: the same plaintext never encrypts the same way', () => {
    expect(encryptWithKeyring(keyring, secret)).not.toBe(encryptWithKeyring(keyring, secret));
  });

  it('refuses a tampered blob (any part) with an error', () => {
    const blob = encryptWithKeyring(keyring, secret);
    const parts = blob.split('.');
    for (let i = 2; i < parts.length; i++) {
      const bytes = Buffer.from(parts[i] ?? '', 'base64url');
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
      const tampered = [...parts];
      tampered[i] = bytes.toString('base64url');
      expect(() => decryptWithKeyring(keyring, tampered.join('.'))).toThrow(/authentication|truncated/);
    }
    expect(() => decryptWithKeyring(keyring, 'not-a-blob')).toThrow(/envelope format/);
  });

  it('refuses a blob moved to another row (bound context)', () => {
    const blob = encryptWithKeyring(keyring, secret, 'row:1');
    expect(() => decryptWithKeyring(keyring, blob, 'row:2')).toThrow(/authentication/);
  });

  it('refuses the wrong master key, whether it claims the same id or not', () => {
    const blob = encryptWithKeyring(keyring, secret);
    expect(() => decryptWithKeyring(createKeyring(newKek()), blob)).toThrow(/master key/);
    const impostor = createKeyring({ id: kek.id, key: randomBytes(32) });
    expect(() => decryptWithKeyring(impostor, blob)).toThrow(/authentication/);
  });

  it('rotates: a retired key still opens old blobs, and rewrap moves them to the new key', () => {
    const old = encryptWithKeyring(keyring, secret, 'ctx');
    const next = newKek();
    const rotated = createKeyring(next, [kek]);
    expect(decryptWithKeyring(rotated, old, 'ctx').toString()).toBe(secret);
    const rewrapped = rewrapWithKeyring(rotated, old);
    expect(rewrapped.split('.')[1]).toBe(next.id);
    expect(decryptWithKeyring(createKeyring(next), rewrapped, 'ctx').toString()).toBe(secret);
    expect(encryptWithKeyring(rotated, secret).split('.')[1]).toBe(next.id);
  });
});
