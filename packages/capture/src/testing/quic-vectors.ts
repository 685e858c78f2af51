import { createCipheriv } from 'node:crypto';
import { deriveInitialKeys, QUIC_V2 } from '../quic-initial.js';

/** Client DCID of RFC 9001 Appendix A. */
export const RFC_DCID = '8394c8f03e515708';

/** CRYPTO frame + ClientHello of RFC 9001 Appendix A.2 (SNI example.com), before the padding. */
export const RFC_CLIENT_PAYLOAD =
  '060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e86804fe3a47f06a2b69484c00000413011302010000c0' +
  '00000010000e00000b6578616d706c652e636f6dff01000100000a00080006001d00170018001000070005' +
  '04616c706e000500050100000000003300260024001d00209370b2c9caa47fbabaf4559fedba753de171fa71f50f1ce15d43e994ec74d748' +
  '002b0003020304000d0010000e0403050306030203080408050806002d00020101001c00024001' +
  '003900320408ffffffffffffffff05048000ffff07048000ffff0801100104800075300901100f088394c8f03e51570806048000ffff';

function encodeVarint(v: number): Buffer {
  if (v < 64) return Buffer.from([v]);
  if (v < 16384) return Buffer.from([0x40 | (v >> 8), v & 255]);
  const b = Buffer.alloc(4);
  b.writeUInt32BE((0x80000000 | v) >>> 0);
  return b;
}

/**
 * Test-side encoder for client Initial packets (RFC 9001 §5.3–5.4): used to check the RFC vectors and to
 * synthesise Initials split and shuffled the way browsers send them. `lengthBytes` pins the Length field
 * to a 2-byte varint like the RFC example.
 */
export function protectClientInitial(opts: {
  version: number;
  dcid: Buffer;
  scid?: Buffer;
  keyDcid?: Buffer;
  pn: number;
  pnLen?: number;
  payload: Buffer;
}): Buffer {
  const pnLen = opts.pnLen ?? 4;
  const scid = opts.scid ?? Buffer.alloc(0);
  const keys = deriveInitialKeys(opts.version, opts.keyDcid ?? opts.dcid)!;
  const typeBits = opts.version === QUIC_V2 ? 1 : 0;
  const first = 0xc0 | (typeBits << 4) | (pnLen - 1);
  const len = pnLen + opts.payload.length + 16;
  const lenField = Buffer.from([0x40 | (len >> 8), len & 255]);
  const versionBuf = Buffer.alloc(4);
  versionBuf.writeUInt32BE(opts.version);
  const pnBuf = Buffer.alloc(4);
  pnBuf.writeUInt32BE(opts.pn);
  const header = Buffer.concat([
    Buffer.from([first]),
    versionBuf,
    Buffer.from([opts.dcid.length]),
    opts.dcid,
    Buffer.from([scid.length]),
    scid,
    encodeVarint(0),
    lenField,
    pnBuf.subarray(4 - pnLen),
  ]);
  const nonce = Buffer.from(keys.iv);
  for (let i = 0; i < 4; i++) nonce[8 + i] = nonce[8 + i]! ^ pnBuf[i]!;
  const gcm = createCipheriv('aes-128-gcm', keys.key, nonce);
  gcm.setAAD(header);
  const ct = Buffer.concat([gcm.update(opts.payload), gcm.final(), gcm.getAuthTag()]);
  const pnOffset = header.length - pnLen;
  const sample = ct.subarray(4 - pnLen, 20 - pnLen);
  const mask = createCipheriv('aes-128-ecb', keys.hp, null).update(sample);
  const out = Buffer.concat([header, ct]);
  out[0] = out[0]! ^ (mask[0]! & 0x0f);
  for (let i = 0; i < pnLen; i++) out[pnOffset + i] = out[pnOffset + i]! ^ mask[1 + i]!;
  return out;
}

/** The 1200-byte protected client Initial of RFC 9001 A.2 / RFC 9369 A.2. */
export function buildRfcClientInitial(version: number): Buffer {
  const payload = Buffer.concat([Buffer.from(RFC_CLIENT_PAYLOAD, 'hex'), Buffer.alloc(917)]);
  return protectClientInitial({ version, dcid: Buffer.from(RFC_DCID, 'hex'), pn: 2, payload });
}

/** CRYPTO frame carrying `data` at stream offset `offset`. */
export function cryptoFrame(offset: number, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x06]), encodeVarint(offset), encodeVarint(data.length), data]);
}
