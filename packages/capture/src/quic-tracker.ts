import { noteDownload, noteUpload } from './exchange-tracker.js';
import type { Flow } from './flow.js';
import { HsState } from './flow.js';
import type { PacketInfo } from './packet-info.js';
import {
  collectCryptoFrames,
  decryptInitialPacket,
  deriveInitialKeys,
  initialTypeFor,
  isSupportedQuicVersion,
  LongHeader,
  parseLongHeader,
  retryTypeFor,
} from './quic-initial.js';
import { parseClientHello } from './tls-client-hello.js';
import type { TrackerContext } from './tracker-context.js';

const MAX_INITIAL_PACKETS = 16;
const hdr = new LongHeader();

function sameBytes(a: Uint8Array, b: Uint8Array, bOff: number, bLen: number): boolean {
  if (a.length !== bLen) return false;
  for (let i = 0; i < bLen; i++) if (a[i] !== b[bOff + i]) return false;
  return true;
}

/** A client Initial of a version we can decrypt (first packet of a datagram). */
export function looksLikeQuicInitial(b: Uint8Array, o: number, len: number): boolean {
  if (len < 7 || (b[o]! & 0xc0) !== 0xc0) return false;
  const version = ((b[o + 1]! << 24) | (b[o + 2]! << 16) | (b[o + 3]! << 8) | b[o + 4]!) >>> 0;
  return isSupportedQuicVersion(version) && ((b[o]! >> 4) & 3) === initialTypeFor(version);
}

export function trackUdp(p: PacketInfo, ctx: TrackerContext): void {
  const table = ctx.table;
  let f = table.find(p);
  let up = table.up;
  if (f === null) {
    const initial = looksLikeQuicInitial(p.buf, p.payloadOff, p.payloadCapLen);
    // Only QUIC is tracked over UDP: a client Initial on any port, or anything on port 443 (mid-stream).
    if (!initial && p.sport !== 443 && p.dport !== 443) {
      ctx.stats.udpNonQuic++;
      return;
    }
    f = table.create(p);
    ctx.stats.flowsCreated++;
    up = true;
    f.directionKnown = initial;
    if (initial) ctx.connectionStarted(f);
    else {
      f.hs = HsState.GaveUp;
      if (p.sport === 443) {
        f.swapDirection();
        up = false;
      }
    }
  } else {
    table.touch(f);
  }
  f.lastTs = p.tsMs;
  if (up) {
    f.packetsUp++;
    f.bytesUp += p.payloadLen;
    // Long-header packets (Initial/Handshake, padded to 1,200 B) never make a burst a request.
    const shortHeader = p.payloadCapLen > 0 && (p.buf[p.payloadOff]! & 0x80) === 0;
    if (p.payloadLen > 0) noteUpload(f, p.payloadLen, shortHeader ? p.payloadLen : 0, p.tsMs);
  } else {
    f.packetsDown++;
    f.bytesDown += p.payloadLen;
    if (p.payloadLen > 0) noteDownload(f, p.payloadLen, p.tsMs, ctx);
  }
  if (f.hs !== HsState.Pending) return;
  const end = p.payloadOff + p.payloadCapLen;
  if (up) readClientDatagram(f, p.buf, p.payloadOff, end, ctx);
  else if (parseLongHeader(p.buf, p.payloadOff, end, hdr) && hdr.type === retryTypeFor(hdr.version)) {
    // After a Retry the client switches to a new DCID and therefore new Initial keys (RFC 9001 §5.2).
    f.quicKeys = null;
    f.quicDcid = null;
    ctx.releaseBuffer(f);
  }
}

function readClientDatagram(f: Flow, b: Uint8Array, off: number, end: number, ctx: TrackerContext): void {
  let o = off;
  // Several QUIC packets may be coalesced in one datagram; their Length fields chain them.
  while (o < end && f.hs === HsState.Pending) {
    if (!parseLongHeader(b, o, end, hdr)) return;
    o = hdr.packetEnd;
    const version = hdr.version;
    if (hdr.type !== initialTypeFor(version) || !isSupportedQuicVersion(version)) continue;
    if (++f.hsPackets > MAX_INITIAL_PACKETS) {
      giveUpQuic(f, ctx);
      return;
    }
    if (f.quicKeys === null || f.quicVersion !== version) {
      // Keys always come from the DCID of the client's first Initial, even if later ones change it.
      f.quicVersion = version;
      f.quicDcid = b.slice(hdr.dcidOff, hdr.dcidOff + hdr.dcidLen);
      f.quicKeys = deriveInitialKeys(version, f.quicDcid);
    }
    let pt = f.quicKeys ? decryptInitialPacket(b, hdr, f.quicKeys) : null;
    if (pt === null && f.quicDcid && !sameBytes(f.quicDcid, b, hdr.dcidOff, hdr.dcidLen)) {
      // A new connection attempt on the same 4-tuple: try the packet's own DCID.
      const dcid = b.slice(hdr.dcidOff, hdr.dcidOff + hdr.dcidLen);
      const keys = deriveInitialKeys(version, dcid);
      pt = keys ? decryptInitialPacket(b, hdr, keys) : null;
      if (pt !== null && keys) {
        f.quicDcid = dcid;
        f.quicKeys = keys;
        ctx.releaseBuffer(f);
      }
    }
    if (pt === null) {
      ctx.stats.quicDecryptFailures++;
      continue;
    }
    const r = f.reasm ?? ctx.acquireBuffer(f);
    if (r === null) return;
    const capBefore = r.capacity;
    const ok = collectCryptoFrames(pt, r);
    ctx.growBuffer(r.capacity - capBefore);
    if (!ok) {
      giveUpQuic(f, ctx);
      return;
    }
    const have = r.contiguous;
    if (have >= 4) {
      const d = r.data;
      if (d[0] !== 1) {
        f.hs = HsState.NotTls;
        ctx.releaseBuffer(f);
        return;
      }
      const need = 4 + ((d[1]! << 16) | (d[2]! << 8) | d[3]!);
      if (need > ctx.maxHandshakeBytes) {
        giveUpQuic(f, ctx);
        return;
      }
      if (have >= need) {
        f.hello = parseClientHello(d, 0, need);
        f.hs = f.hello ? HsState.Done : HsState.NotTls;
        ctx.releaseBuffer(f);
        if (f.hello) ctx.handshakeDone(f);
      }
    }
  }
}

export function salvageQuicHello(f: Flow): void {
  const r = f.reasm;
  if (r === null || f.hello !== null || r.contiguous < 9) return;
  f.hello = parseClientHello(r.data, 0, r.contiguous, true);
}

function giveUpQuic(f: Flow, ctx: TrackerContext): void {
  salvageQuicHello(f);
  f.hs = HsState.GaveUp;
  ctx.releaseBuffer(f);
  if (f.hello) ctx.handshakeDone(f);
}
