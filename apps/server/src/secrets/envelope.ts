import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError } from '@toktra/core';
import type { Keyring } from './keyring.js';

/**
 * Envelope encryption, format v1 (one text value, so it fits any text column):
 *
 *   tks1.<kek id>.<wrap iv>.<wrapped data key + tag>.<iv>.<ciphertext + tag>   (base64url parts)
 *
 * Each record gets its own random 256-bit data key (AES-256-GCM); the data key is wrapped with
 * the master key (AES-256-GCM). The kek id says which master key wrapped it, so the master key
 * can rotate: new blobs use the current key, old ones still open with a retired key, and
 * `rewrapSecret` moves a blob to the current key without touching its ciphertext. The optional
 * `context` (e.g. "org_ca:<org id>") is bound as associated data, so a blob copied onto another
 * row does not decrypt there.
 */
const VERSION = 'tks1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

function seal(key: Buffer, plaintext: Buffer, aad: string): { iv: Buffer; sealed: Buffer } {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, sealed: Buffer.concat([body, cipher.getAuthTag()]) };
}

function open(key: Buffer, iv: Buffer, sealed: Buffer, aad: string): Buffer {
  if (iv.length !== IV_BYTES || sealed.length < TAG_BYTES) throw new Error('truncated');
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
}

const wrapAad = (kekId: string) => `${VERSION}:dek:${kekId}`;
const dataAad = (context: string) => `${VERSION}:data:${context}`;

export function encryptWithKeyring(keyring: Keyring, plaintext: string | Uint8Array, context = ''): string {
  const kek = keyring.current;
  const dataKey = randomBytes(32);
  try {
    const wrapped = seal(kek.key, dataKey, wrapAad(kek.id));
    const data = seal(dataKey, Buffer.from(plaintext), dataAad(context));
    return [VERSION, kek.id, wrapped.iv, wrapped.sealed, data.iv, data.sealed]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  } finally {
    dataKey.fill(0);
  }
}

interface ParsedBlob {
  kekId: string;
  wrapIv: Buffer;
  wrapped: Buffer;
  iv: Buffer;
  sealed: Buffer;
}

function parseBlob(blob: string): ParsedBlob {
  const parts = blob.split('.');
  if (parts.length !== 6 || parts[0] !== VERSION) {
    throw new AppError('internal', 'secret is not in a known envelope format');
  }
  const [, kekId, wrapIv, wrapped, iv, sealed] = parts as [string, string, string, string, string, string];
  const b = (s: string) => Buffer.from(s, 'base64url');
  return { kekId, wrapIv: b(wrapIv), wrapped: b(wrapped), iv: b(iv), sealed: b(sealed) };
}

function unwrapDataKey(keyring: Keyring, parsed: ParsedBlob): Buffer {
  const kek = keyring.find(parsed.kekId);
  if (!kek) {
    throw new AppError(
      'internal',
      `secret was encrypted with master key ${parsed.kekId}, which this server does not have ` +
        '(set TOKTRA_MASTER_KEY, or TOKTRA_MASTER_KEY_PREVIOUS while rotating)',
    );
  }
  try {
    return open(kek.key, parsed.wrapIv, parsed.wrapped, wrapAad(kek.id));
  } catch (error) {
    throw new AppError(
      'internal',
      'secret data key failed authentication (tampered or wrong key)',
      undefined,
      {
        cause: error,
      },
    );
  }
}

export function decryptWithKeyring(keyring: Keyring, blob: string, context = ''): Buffer {
  const parsed = parseBlob(blob);
  const dataKey = unwrapDataKey(keyring, parsed);
  try {
    return open(dataKey, parsed.iv, parsed.sealed, dataAad(context));
  } catch (error) {
    throw new AppError('internal', 'secret failed authentication (tampered, moved or wrong key)', undefined, {
      cause: error,
    });
  } finally {
    dataKey.fill(0);
  }
}

/** Re-wraps the data key under the current master key; the ciphertext itself is unchanged. */
export function rewrapWithKeyring(keyring: Keyring, blob: string): string {
  const parsed = parseBlob(blob);
  if (parsed.kekId === keyring.current.id) return blob;
  const dataKey = unwrapDataKey(keyring, parsed);
  try {
    const kek = keyring.current;
    const wrapped = seal(kek.key, dataKey, wrapAad(kek.id));
    return [VERSION, kek.id, wrapped.iv, wrapped.sealed, parsed.iv, parsed.sealed]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  } finally {
    dataKey.fill(0);
  }
}
