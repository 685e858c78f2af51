import { buf, fromBase64Url, toBase64Url, utf8 } from './encoding.js';

/** OWASP's 2023 figure for PBKDF2-HMAC-SHA256. About half a second in a browser, once per unlock. */
export const DEFAULT_PBKDF2_ITERATIONS = 600_000;
export const MIN_PASSPHRASE_LENGTH = 10;

/**
 * The employee's private key wrapped by their passphrase: PBKDF2-HMAC-SHA256 → AES-256-GCM, both
 * WebCrypto. The server may keep this blob so the employee can unlock from any browser; without
 * the passphrase it is useless to the server. The AAD binds it to its public key, so a blob cannot
 * be swapped onto another enrollment.
 */
export interface WrappedKey {
  v: 1;
  kdf: 'pbkdf2-sha256';
  iterations: number;
  salt: string;
  iv: string;
  ciphertext: string;
}

const aadFor = (publicKey: string) => utf8(`toktra-perks/v1 wrapped key|${publicKey}`);

async function wrappingKey(passphrase: string, salt: Uint8Array, iterations: number): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', buf(utf8(passphrase)), 'PBKDF2', false, [
    'deriveKey',
  ]);
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: buf(salt), iterations },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/** PBKDF2-HMAC-SHA256 output bits (exported for the known-answer test). */
export async function pbkdf2Sha256(
  passphrase: string,
  salt: Uint8Array,
  iterations: number,
  bits: number,
): Promise<Uint8Array> {
  const material = await crypto.subtle.importKey('raw', buf(utf8(passphrase)), 'PBKDF2', false, [
    'deriveBits',
  ]);
  return new Uint8Array(
    await crypto.subtle.deriveBits(
      { name: 'PBKDF2', hash: 'SHA-256', salt: buf(salt), iterations },
      material,
      bits,
    ),
  );
}

export async function wrapPrivateKey(
  privateKey: string,
  publicKey: string,
  passphrase: string,
  options: { iterations?: number } = {},
): Promise<WrappedKey> {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
    throw new Error(`the passphrase must have at least ${MIN_PASSPHRASE_LENGTH} characters`);
  }
  const iterations = options.iterations ?? DEFAULT_PBKDF2_ITERATIONS;
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const key = await wrappingKey(passphrase, salt, iterations);
  const ct = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv: buf(iv), additionalData: buf(aadFor(publicKey)) },
    key,
    buf(fromBase64Url(privateKey)),
  );
  return {
    v: 1,
    kdf: 'pbkdf2-sha256',
    iterations,
    salt: toBase64Url(salt),
    iv: toBase64Url(iv),
    ciphertext: toBase64Url(new Uint8Array(ct)),
  };
}

/** The private key, or an error saying the passphrase is wrong (AES-GCM's tag does not verify). */
export async function unwrapPrivateKey(
  wrapped: WrappedKey,
  publicKey: string,
  passphrase: string,
): Promise<string> {
  if (wrapped.v !== 1 || wrapped.kdf !== 'pbkdf2-sha256') throw new Error('unknown wrapped-key format');
  const key = await wrappingKey(passphrase, fromBase64Url(wrapped.salt), wrapped.iterations);
  try {
    const raw = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: buf(fromBase64Url(wrapped.iv)), additionalData: buf(aadFor(publicKey)) },
      key,
      buf(fromBase64Url(wrapped.ciphertext)),
    );
    return toBase64Url(new Uint8Array(raw));
  } catch {
    throw new Error('wrong passphrase (or the wrapped key was altered)');
  }
}

/** Whether an untrusted value has the shape of a `WrappedKey` (the server checks only the shape). */
export function isWrappedKey(value: unknown): value is WrappedKey {
  if (!value || typeof value !== 'object') return false;
  const w = value as Record<string, unknown>;
  const b64 = (x: unknown, max: number) =>
    typeof x === 'string' && x.length <= max && /^[A-Za-z0-9_-]+$/.test(x);
  return (
    w.v === 1 &&
    w.kdf === 'pbkdf2-sha256' &&
    Number.isInteger(w.iterations) &&
    (w.iterations as number) >= 1 &&
    (w.iterations as number) <= 10_000_000 &&
    b64(w.salt, 64) &&
    b64(w.iv, 32) &&
    b64(w.ciphertext, 128) &&
    Object.keys(w).length === 6
  );
}
