import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import type { ReassemblyBuffer } from './reassembly-buffer.js';

export const QUIC_V1 = 0x00000001;
export const QUIC_V2 = 0x6b3343cf;

// Initial salts: RFC 9001 §5.2, RFC 9369 §3.3.1, draft-ietf-quic-tls-29 (still seen in old stacks).
const SALT_V1 = Buffer.from('38762cf7f55934b34d179ae6a4c80cadccbb7f0a', 'hex');
const SALT_V2 = Buffer.from('0dede3def700a6db819381be6e269dcbf9bd2ed9', 'hex');
const SALT_DRAFT29 = Buffer.from('afbfec289993d24c9e9786f19c6111e04390a899', 'hex');

export interface InitialKeys {
  key: Buffer;
  iv: Buffer;
  hp: Buffer;
}

function saltFor(version: number): Buffer | null {
  if (version === QUIC_V1) return SALT_V1;
  if (version === QUIC_V2) return SALT_V2;
  if (version >= 0xff00001d && version <= 0xff000020) return SALT_DRAFT29;
  return null;
}

/** True for versions whose Initial packets we know how to decrypt. */
export function isSupportedQuicVersion(version: number): boolean {
  return saltFor(version) !== null;
}

/** Long-header packet type of Initial packets: v2 swapped the type codes (RFC 9369 §3.2). */
export function initialTypeFor(version: number): number {
  return version === QUIC_V2 ? 1 : 0;
}

export function retryTypeFor(version: number): number {
  return version === QUIC_V2 ? 0 : 3;
}

/** HKDF-Expand-Label (RFC 8446 §7.1) for outputs of at most 32 bytes: one HMAC block suffices. */
export function expandLabel(secret: Buffer, label: string, length: number): Buffer {
  const full = `tls13 ${label}`;
  const info = Buffer.alloc(2 + 1 + full.length + 1 + 1);
  info.writeUInt16BE(length, 0);
  info[2] = full.length;
  info.write(full, 3, 'latin1');
  info[3 + full.length] = 0; // empty context
  info[4 + full.length] = 1; // HKDF-Expand counter
  return createHmac('sha256', secret).update(info).digest().subarray(0, length);
}

export function deriveInitialSecret(version: number, dcid: Uint8Array): Buffer | null {
  const salt = saltFor(version);
  return salt ? createHmac('sha256', salt).update(dcid).digest() : null;
}

/** Client (or server) Initial packet protection keys derived from the client's first DCID. */
export function deriveInitialKeys(version: number, dcid: Uint8Array, side: 'client' | 'server' = 'client') {
  const initial = deriveInitialSecret(version, dcid);
  if (!initial) return null;
  const secret = expandLabel(initial, side === 'client' ? 'client in' : 'server in', 32);
  const v2 = version === QUIC_V2;
  return {
    secret,
    key: expandLabel(secret, v2 ? 'quicv2 key' : 'quic key', 16),
    iv: expandLabel(secret, v2 ? 'quicv2 iv' : 'quic iv', 12),
    hp: expandLabel(secret, v2 ? 'quicv2 hp' : 'quic hp', 16),
  };
}

/** A parsed QUIC long header; reused across packets. */
export class LongHeader {
  start = 0;
  version = 0;
  type = 0;
  dcidOff = 0;
  dcidLen = 0;
  scidOff = 0;
  scidLen = 0;
  pnOffset = 0;
  packetEnd = 0;
}

function readVarint(b: Uint8Array, o: number, end: number, out: { v: number; o: number }): boolean {
  if (o >= end) return false;
  const first = b[o]!;
  const len = 1 << (first >> 6);
  if (o + len > end) return false;
  let v = first & 0x3f;
  for (let i = 1; i < len; i++) v = v * 256 + b[o + i]!;
  out.v = v;
  out.o = o + len;
  return true;
}

const vr = { v: 0, o: 0 };

/** Parses a long-header packet at `off`; false when the bytes are not a well-formed long header. */
export function parseLongHeader(b: Uint8Array, off: number, end: number, h: LongHeader): boolean {
  if (off + 7 > end) return false;
  const first = b[off]!;
  if ((first & 0x80) === 0) return false;
  h.start = off;
  h.version = ((b[off + 1]! << 24) | (b[off + 2]! << 16) | (b[off + 3]! << 8) | b[off + 4]!) >>> 0;
  h.type = (first >> 4) & 3;
  h.dcidLen = b[off + 5]!;
  h.dcidOff = off + 6;
  let o = h.dcidOff + h.dcidLen;
  if (h.dcidLen > 20 || o + 1 > end) return false;
  h.scidLen = b[o]!;
  h.scidOff = o + 1;
  o = h.scidOff + h.scidLen;
  if (h.scidLen > 20 || o > end || h.version === 0) return false;
  if (h.type === retryTypeFor(h.version)) {
    h.pnOffset = o;
    h.packetEnd = end; // a Retry runs to the end of the datagram
    return true;
  }
  if (h.type === initialTypeFor(h.version)) {
    if (!readVarint(b, o, end, vr)) return false;
    o = vr.o + vr.v; // token
  }
  if (!readVarint(b, o, end, vr)) return false;
  h.pnOffset = vr.o;
  h.packetEnd = vr.o + vr.v;
  return h.packetEnd <= end && vr.v >= 20;
}

/**
 * Removes header protection and decrypts an Initial packet (RFC 9001 §5.3–5.4) without modifying `b`.
 * Returns the plaintext payload, or null when the tag does not verify (wrong keys or not an Initial).
 */
export function decryptInitialPacket(b: Uint8Array, h: LongHeader, keys: InitialKeys): Buffer | null {
  const pnOff = h.pnOffset;
  if (pnOff + 4 + 16 > h.packetEnd) return null;
  try {
    const ecb = createCipheriv('aes-128-ecb', keys.hp, null);
    const mask = ecb.update(b.subarray(pnOff + 4, pnOff + 20));
    const first = b[h.start]! ^ (mask[0]! & 0x0f);
    const pnLen = (first & 3) + 1;
    const header = Buffer.from(b.subarray(h.start, pnOff + pnLen));
    header[0] = first;
    const nonce = Buffer.from(keys.iv);
    for (let i = 0; i < pnLen; i++) {
      const idx = pnOff - h.start + i;
      header[idx] = header[idx]! ^ mask[1 + i]!;
      nonce[12 - pnLen + i] = nonce[12 - pnLen + i]! ^ header[idx]!;
    }
    const tagOff = h.packetEnd - 16;
    if (tagOff < pnOff + pnLen) return null;
    const gcm = createDecipheriv('aes-128-gcm', keys.key, nonce);
    gcm.setAAD(header);
    gcm.setAuthTag(b.subarray(tagOff, h.packetEnd));
    const body = gcm.update(b.subarray(pnOff + pnLen, tagOff));
    const fin = gcm.final();
    return fin.length ? Buffer.concat([body, fin]) : body;
  } catch {
    return null;
  }
}

/**
 * Walks the frames of a decrypted Initial payload and writes CRYPTO data into `crypto` by offset.
 * Returns false on a malformed payload or when the data exceeds the buffer's bounds.
 */
export function collectCryptoFrames(pt: Uint8Array, crypto: ReassemblyBuffer): boolean {
  let o = 0;
  const end = pt.length;
  while (o < end) {
    const type = pt[o]!;
    if (type === 0x00 || type === 0x01) {
      o++; // PADDING, PING
    } else if (type === 0x06) {
      if (!readVarint(pt, o + 1, end, vr)) return false;
      const offset = vr.v;
      if (!readVarint(pt, vr.o, end, vr)) return false;
      const len = vr.v;
      const dataOff = vr.o;
      if (dataOff + len > end) return false;
      if (!crypto.insert(offset, pt, dataOff, len)) return false;
      o = dataOff + len;
    } else if (type === 0x02 || type === 0x03) {
      // ACK: largest, delay, range count, first range, ranges, [ECN counts]
      o++;
      let count = 0;
      for (let i = 0; i < 4; i++) {
        if (!readVarint(pt, o, end, vr)) return false;
        o = vr.o;
        if (i === 2) count = vr.v;
      }
      if (count > 256) return false;
      const more = count * 2 + (type === 0x03 ? 3 : 0);
      for (let i = 0; i < more; i++) {
        if (!readVarint(pt, o, end, vr)) return false;
        o = vr.o;
      }
    } else {
      return true; // CONNECTION_CLOSE or a frame not allowed in Initials: stop, keep what we have
    }
  }
  return true;
}
