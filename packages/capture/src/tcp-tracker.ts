import { noteDownload, noteUpload } from './exchange-tracker.js';
import type { Flow } from './flow.js';
import { CloseState, HsState } from './flow.js';
import type { PacketInfo } from './packet-info.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from './packet-info.js';
import type { ExtractResult } from './tls-client-hello.js';
import { extractClientHello, HandshakeStatus } from './tls-client-hello.js';
import type { TrackerContext } from './tracker-context.js';

const MAX_HANDSHAKE_SEGMENTS = 64;
const extract: ExtractResult = { status: HandshakeStatus.NeedMore, info: null };

/** A TLS record header carrying the start of a ClientHello (a cheap test that needs no reassembly). */
function looksLikeClientHello(b: Uint8Array, o: number, len: number): boolean {
  return len >= 6 && b[o] === 0x16 && b[o + 1] === 3 && b[o + 5] === 1;
}

export function trackTcp(p: PacketInfo, ctx: TrackerContext): void {
  const table = ctx.table;
  const flags = p.tcpFlags;
  let f = table.find(p);
  let up = table.up;
  if (f !== null && f.closeState === CloseState.Closing && (flags & (TCP_SYN | TCP_ACK)) === TCP_SYN) {
    ctx.finishFlow(f); // the 5-tuple is being reused by a new connection
    f = null;
  }
  if (f === null) {
    // Stray ACK/RST packets of a connection we never saw carry nothing worth a flow record.
    if ((flags & TCP_SYN) === 0 && p.payloadLen === 0) return;
    f = table.create(p);
    ctx.stats.flowsCreated++;
    up = true;
    if (flags & TCP_SYN) {
      f.directionKnown = true;
      if (flags & TCP_ACK) {
        f.swapDirection();
        up = false;
      } else ctx.connectionStarted(f);
    } else if (looksLikeClientHello(p.buf, p.payloadOff, p.payloadCapLen)) {
      f.directionKnown = true;
    } else if (p.sport === 443 || (p.dport !== 443 && p.sport < p.dport)) {
      // Mid-stream: the well-known (or lower) port is most likely the server.
      f.swapDirection();
      up = false;
    }
  } else {
    table.touch(f);
    if (!up && !f.directionKnown && f.hs === HsState.Pending && p.payloadCapLen > 0) {
      if (looksLikeClientHello(p.buf, p.payloadOff, p.payloadCapLen)) {
        f.swapDirection();
        f.directionKnown = true;
        up = true;
      }
    }
  }
  f.lastTs = p.tsMs;
  const seq = p.seq;
  if (up) {
    f.packetsUp++;
    if (flags & TCP_SYN) {
      f.cNext = (seq + 1) >>> 0;
      f.cSeqKnown = true;
      f.cBase = f.cNext;
      f.cBaseKnown = true;
    }
  } else {
    f.packetsDown++;
    if (flags & TCP_SYN) {
      f.sNext = (seq + 1) >>> 0;
      f.sSeqKnown = true;
      if (flags & TCP_ACK && !f.cBaseKnown) {
        // Capture began at the SYN-ACK: its ack number tells where the client's stream starts.
        f.cBase = p.ack;
        f.cBaseKnown = true;
        f.cNext = p.ack;
        f.cSeqKnown = true;
      }
    }
  }
  if (up && ctx.countDownFromAcks && f.sSeqKnown && flags & TCP_ACK) {
    // The server's data may be filtered out in the kernel (live capture keeps only its SYN/FIN/
    // RST): the client's cumulative ACK says how far the server's stream has arrived. Counted
    // before this packet's own payload: an ACK piggybacked on the next request acknowledges the
    // previous answer, which came first.
    const acked = f.finDown && ((p.ack - f.sFin) | 0) > 0 ? f.sFin : p.ack;
    const d = (acked - f.sNext) | 0;
    if (d > 0 && d < 0x40000000) {
      f.bytesDown += d;
      f.sNext = acked;
      noteDownload(f, d, p.tsMs, ctx);
    }
  }
  const len = p.payloadLen;
  if (len > 0) {
    const end = (seq + len) >>> 0;
    // Bytes = sequence space advanced, so retransmitted and overlapping bytes count once (as Zeek does).
    if (up) {
      if (!f.cSeqKnown) {
        f.cNext = seq;
        f.cSeqKnown = true;
      }
      const d = (end - f.cNext) | 0;
      if (d > 0) {
        f.bytesUp += d;
        f.cNext = end;
        noteUpload(f, d, d, p.tsMs);
      }
      if (f.hs === HsState.Pending) feedHandshake(f, p, ctx);
    } else {
      if (!f.sSeqKnown) {
        f.sNext = seq;
        f.sSeqKnown = true;
      }
      const d = (end - f.sNext) | 0;
      if (d > 0) {
        f.bytesDown += d;
        f.sNext = end;
        noteDownload(f, d, p.tsMs, ctx);
      }
    }
  }
  if (flags & (TCP_FIN | TCP_RST)) {
    if (flags & TCP_RST) {
      f.closeReason = 'rst';
      f.closeState = CloseState.Closing;
    } else {
      if (up) f.finUp = true;
      else {
        f.finDown = true;
        f.sFin = (seq + len) >>> 0;
      }
      if (f.finUp && f.finDown) {
        f.closeReason = 'fin';
        f.closeState = CloseState.Closing;
      }
    }
    // Byte counts are final once both sides closed (or one reset): trailing ACKs carry none, and
    // a retransmission cannot add sequence space. Live capture reports it now, not after a linger.
    if (f.closeState === CloseState.Closing && ctx.emitOnClose) ctx.finishFlow(f);
  }
}

function feedHandshake(f: Flow, p: PacketInfo, ctx: TrackerContext): void {
  const cap = p.payloadCapLen;
  if (cap === 0) return;
  if (!f.cBaseKnown) {
    f.cBase = p.seq;
    f.cBaseKnown = true;
  }
  const rel = (p.seq - f.cBase) >>> 0;
  if (rel >= ctx.maxHandshakeBytes) {
    // Far ahead of the start or (wrapped) before it: a retransmission of pre-capture data or a gap.
    if (rel < 0x80000000) giveUp(f, ctx);
    return;
  }
  if (++f.hsPackets > MAX_HANDSHAKE_SEGMENTS) {
    giveUp(f, ctx);
    return;
  }
  const b = p.buf;
  if (f.reasm === null) {
    if (rel === 0) {
      if (b[p.payloadOff] !== 0x16) {
        f.hs = HsState.NotTls;
        return;
      }
      // Fast path: the whole ClientHello in one segment needs no copy.
      extractClientHello(b.subarray(p.payloadOff, p.payloadOff + cap), cap, ctx.maxHandshakeBytes, extract);
      if (extract.status !== HandshakeStatus.NeedMore) {
        applyResult(f, ctx);
        return;
      }
    }
    if (ctx.acquireBuffer(f) === null) return;
  }
  const r = f.reasm!;
  const before = r.contiguous;
  const capBefore = r.capacity;
  const ok = r.insert(rel, b, p.payloadOff, cap);
  ctx.growBuffer(r.capacity - capBefore);
  if (!ok) {
    giveUp(f, ctx);
    return;
  }
  if (r.contiguous === before) return;
  extractClientHello(r.data, r.contiguous, ctx.maxHandshakeBytes, extract);
  if (extract.status !== HandshakeStatus.NeedMore) applyResult(f, ctx);
}

function applyResult(f: Flow, ctx: TrackerContext): void {
  if (extract.status === HandshakeStatus.Done) {
    f.hello = extract.info;
    f.hs = HsState.Done;
    ctx.releaseBuffer(f);
    ctx.handshakeDone(f);
  } else if (extract.status === HandshakeStatus.NotTls) {
    f.hs = HsState.NotTls;
    ctx.releaseBuffer(f);
  } else {
    giveUp(f, ctx);
  }
}

/** Stops buffering; keeps whatever a partial parse of the prefix recovers (usually the SNI). */
export function giveUp(f: Flow, ctx: TrackerContext): void {
  if (f.hs !== HsState.Pending) return;
  salvageTcpHello(f, ctx);
  f.hs = HsState.GaveUp;
  ctx.releaseBuffer(f);
  if (f.hello) ctx.handshakeDone(f);
}

export function salvageTcpHello(f: Flow, ctx: TrackerContext): void {
  const r = f.reasm;
  if (r === null || f.hello !== null || r.contiguous < 9) return;
  extractClientHello(r.data, r.contiguous, ctx.maxHandshakeBytes, extract, true);
  if (extract.info) f.hello = extract.info;
}
