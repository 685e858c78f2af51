import { Aes128Gcm, CipherSuite, HkdfSha256 } from '@hpke/core';
import { DhkemX25519HkdfSha256 } from '@hpke/dhkem-x25519';
import { buf, fromBase64Url, toBase64Url } from './encoding.js';

/**
 * RFC 9180 HPKE, base mode: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM — the suite of
 * the RFC's appendix A.1, so a known-answer test pins it. X25519 is pure JS (@hpke/dhkem-x25519,
 * built on audited noble code) so it runs in Node 20 and any browser; HKDF and AES-GCM are the
 * platform's WebCrypto.
 */
export const suite = new CipherSuite({
  kem: new DhkemX25519HkdfSha256(),
  kdf: new HkdfSha256(),
  aead: new Aes128Gcm(),
});

/** Binds every ciphertext to this feature and version (HPKE `info`). */
export const PERKS_INFO = new TextEncoder().encode('toktra-perks/v1 personal usage');

export interface PerkKeyPair {
  /** Raw X25519 public key, base64url (43 characters). */
  publicKey: string;
  /** Raw X25519 private key, base64url. Never leaves the employee's browser unwrapped. */
  privateKey: string;
}

export interface Sealed {
  /** The HPKE encapsulated key (the sender's ephemeral public key), base64url. */
  enc: string;
  /** AEAD ciphertext + tag, base64url. */
  ciphertext: string;
}

export async function generatePerkKeyPair(): Promise<PerkKeyPair> {
  const pair = await suite.kem.generateKeyPair();
  return {
    publicKey: toBase64Url(new Uint8Array(await suite.kem.serializePublicKey(pair.publicKey))),
    privateKey: toBase64Url(new Uint8Array(await suite.kem.serializePrivateKey(pair.privateKey))),
  };
}

/** A public key as the server stores it: exactly 32 raw bytes, base64url. */
export function isPerkPublicKey(text: string): boolean {
  try {
    return fromBase64Url(text).length === 32;
  } catch {
    return false;
  }
}

export async function sealTo(
  publicKey: string,
  plaintext: Uint8Array,
  aad: Uint8Array,
  info: Uint8Array = PERKS_INFO,
): Promise<Sealed> {
  const recipientPublicKey = await suite.kem.deserializePublicKey(buf(fromBase64Url(publicKey)));
  const sender = await suite.createSenderContext({ recipientPublicKey, info: buf(info) });
  const ct = await sender.seal(buf(plaintext), buf(aad));
  return { enc: toBase64Url(new Uint8Array(sender.enc)), ciphertext: toBase64Url(new Uint8Array(ct)) };
}

/** Opens a sealed message; throws when the key, the AAD or a single bit of the message is wrong. */
export async function openWith(
  privateKey: string,
  sealed: Sealed,
  aad: Uint8Array,
  info: Uint8Array = PERKS_INFO,
): Promise<Uint8Array> {
  const recipientKey = await suite.kem.deserializePrivateKey(buf(fromBase64Url(privateKey)));
  const recipient = await suite.createRecipientContext({
    recipientKey,
    enc: buf(fromBase64Url(sealed.enc)),
    info: buf(info),
  });
  return new Uint8Array(await recipient.open(buf(fromBase64Url(sealed.ciphertext)), buf(aad)));
}
