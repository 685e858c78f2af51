import type { CaptureFormatError } from './capture-reader.js';
import { CaptureReader } from './capture-reader.js';
import { closeFinalExchange, closeIdleExchange, lastPayloadAt } from './exchange-tracker.js';
import type { ExchangeRecord, Flow, FlowCloseReason, FlowRecord } from './flow.js';
import { CloseState, HsState } from './flow.js';
import { FlowTable } from './flow-table.js';
import { formatIp } from './ip-format.js';
import { decodePacket } from './packet-decoder.js';
import type { CaptureStats } from './packet-info.js';

export type { CaptureStats };

import { createStats, PacketInfo, PROTO_TCP, PROTO_UDP } from './packet-info.js';
import { salvageQuicHello, trackUdp } from './quic-tracker.js';
import { ReassemblyBuffer } from './reassembly-buffer.js';
import { salvageTcpHello, trackTcp } from './tcp-tracker.js';
import type { TrackerContext } from './tracker-context.js';

export interface CaptureEngineOptions {
  /** Called for every finished connection (closed, idle, evicted, or still open at `end`). */
  onFlow?: (flow: FlowRecord) => void;
  /**
   * Called when a client opens a connection (its SYN, or the first QUIC Initial of a 4-tuple),
   * with its endpoints only: the moment to learn the socket's owner while the socket surely exists.
   */
  onConnectionStart?: (endpoints: ConnectionEndpoints) => void;
  /** Called as soon as a connection's ClientHello is parsed (live agents report early). */
  onHandshake?: (flow: FlowRecord) => void;
  /**
   * Called for each request/response exchange of a connection with a ClientHello: when the next
   * request starts, after `exchangeIdleMs` without payload, and (final) when the connection ends,
   * always before its `onFlow`. A connection's exchanges add up to its byte counts exactly.
   */
  onExchange?: (exchange: ExchangeRecord) => void;
  /** Silence that closes an answered exchange while its connection stays open (default 2 s). */
  exchangeIdleMs?: number;
  /** Request payload an upload burst needs to start a new exchange (default 160 bytes). */
  minRequestBytes?: number;
  /** Answer bytes an exchange needs before an idle gap may report it (default 1,024). */
  minAnswerBytes?: number;
  /** Emit a TCP flow as soon as both FINs or a RST are seen, without lingering (live capture). */
  emitOnClose?: boolean;
  /**
   * Count server → client TCP bytes also from the client's cumulative ACKs, for a capture whose
   * filter drops the server's data segments (the agent's: see apps/agent/src/run/tcpdump.ts).
   */
  countDownFromAcks?: boolean;
  /** Most concurrent flows; beyond it the least recently used flow is emitted early. */
  maxFlows?: number;
  /** Largest ClientHello reassembled per flow. */
  maxHandshakeBytes?: number;
  /** Budget for all handshake buffers together. */
  maxBufferedBytes?: number;
  tcpIdleMs?: number;
  udpIdleMs?: number;
  /** How long a closed TCP flow stays to absorb trailing ACKs before it is emitted. */
  lingerMs?: number;
}

export type ConnectionEndpoints = Pick<
  FlowRecord,
  'transport' | 'srcIp' | 'srcPort' | 'dstIp' | 'dstPort' | 'startedAt'
>;

export interface CaptureEngine {
  /** Feeds the next chunk of a pcap/pcapng byte stream. */
  push(chunk: Uint8Array): void;
  /** Signals end of input: every remaining flow is emitted. */
  end(): void;
  /** Expires idle flows against a clock (milliseconds since the epoch), for live capture. */
  expire(nowMs: number): void;
  on(event: 'flow' | 'handshake', listener: (flow: FlowRecord) => void): void;
  on(event: 'exchange', listener: (exchange: ExchangeRecord) => void): void;
  readonly stats: CaptureStats;
  /** Set when the input is not a capture or its framing is corrupt; further input is ignored. */
  readonly error: CaptureFormatError | null;
  readonly bytesConsumed: number;
  readonly activeFlows: number;
}

const SWEEP_INTERVAL_MS = 1000;

class Engine implements CaptureEngine, TrackerContext {
  readonly table = new FlowTable();
  readonly stats = createStats();
  readonly maxHandshakeBytes: number;
  private readonly maxFlows: number;
  private readonly maxBufferedBytes: number;
  private readonly tcpIdleMs: number;
  private readonly udpIdleMs: number;
  private readonly lingerMs: number;
  private readonly exchangeIdleMs: number;
  readonly minRequestBytes: number;
  readonly minAnswerBytes: number;
  readonly emitOnClose: boolean;
  readonly countDownFromAcks: boolean;
  /** Flows whose answered exchange an idle gap may close. */
  private readonly watched = new Set<Flow>();
  private readonly onConnectionStart: ((e: ConnectionEndpoints) => void) | undefined;
  private readonly exchangeListeners: ((e: ExchangeRecord) => void)[] = [];
  private readonly flowListeners: ((f: FlowRecord) => void)[] = [];
  private readonly handshakeListeners: ((f: FlowRecord) => void)[] = [];
  private readonly reader: CaptureReader;
  private readonly pkt = new PacketInfo();
  private buffered = 0;
  private nextSweep = 0;

  constructor(opts: CaptureEngineOptions) {
    this.maxFlows = opts.maxFlows ?? 200_000;
    this.maxHandshakeBytes = opts.maxHandshakeBytes ?? 65_536;
    this.maxBufferedBytes = opts.maxBufferedBytes ?? 64 << 20;
    this.tcpIdleMs = opts.tcpIdleMs ?? 300_000;
    this.udpIdleMs = opts.udpIdleMs ?? 60_000;
    this.lingerMs = opts.lingerMs ?? 2_000;
    this.exchangeIdleMs = opts.exchangeIdleMs ?? 2_000;
    this.minRequestBytes = opts.minRequestBytes ?? 160;
    this.minAnswerBytes = opts.minAnswerBytes ?? 1024;
    this.emitOnClose = opts.emitOnClose ?? false;
    this.countDownFromAcks = opts.countDownFromAcks ?? false;
    if (opts.onFlow) this.flowListeners.push(opts.onFlow);
    if (opts.onExchange) this.exchangeListeners.push(opts.onExchange);
    this.onConnectionStart = opts.onConnectionStart;
    if (opts.onHandshake) this.handshakeListeners.push(opts.onHandshake);
    this.reader = new CaptureReader(this.onPacket);
  }

  get error(): CaptureFormatError | null {
    return this.reader.error;
  }

  get bytesConsumed(): number {
    return this.reader.bytesConsumed;
  }

  get activeFlows(): number {
    return this.table.size;
  }

  on(event: 'flow' | 'handshake' | 'exchange', listener: (record: never) => void): void {
    const lists = {
      flow: this.flowListeners,
      handshake: this.handshakeListeners,
      exchange: this.exchangeListeners,
    };
    (lists[event] as unknown[]).push(listener);
  }

  push(chunk: Uint8Array): void {
    this.reader.push(chunk);
  }

  end(): void {
    this.reader.end();
    this.stats.truncatedTail = this.reader.truncatedTail;
    while (this.table.head) this.emit(this.table.head, this.table.head.closeState ? undefined : 'end');
  }

  expire(nowMs: number): void {
    for (const f of this.watched) {
      if (lastPayloadAt(f) + this.exchangeIdleMs > nowMs) continue;
      this.watched.delete(f);
      f.exWatched = false;
      closeIdleExchange(f, this);
    }
    // Oldest first: once a flow is more recent than the shortest timeout, all later ones are too.
    let f = this.table.head;
    while (f !== null && f.lastTs + this.lingerMs <= nowMs) {
      const next = f.lruNext;
      if (f.closeState === CloseState.Closing) this.emit(f);
      else if (f.lastTs + (f.proto === PROTO_TCP ? this.tcpIdleMs : this.udpIdleMs) <= nowMs) {
        this.emit(f, 'idle');
      }
      f = next;
    }
  }

  private readonly onPacket = (
    buf: Uint8Array,
    off: number,
    capLen: number,
    _origLen: number,
    linkType: number,
    tsMs: number,
  ): void => {
    const stats = this.stats;
    stats.packets++;
    stats.bytes += capLen;
    const p = this.pkt;
    if (!decodePacket(p, buf, off, capLen, linkType, stats)) return;
    p.buf = buf;
    p.tsMs = tsMs;
    if (tsMs >= this.nextSweep) {
      this.expire(tsMs);
      this.nextSweep = tsMs + SWEEP_INTERVAL_MS;
    }
    if (p.proto === PROTO_TCP) trackTcp(p, this);
    else if (p.proto === PROTO_UDP) trackUdp(p, this);
    if (this.table.size > this.maxFlows) {
      this.stats.flowEvictions++;
      this.emit(this.table.head!, 'evicted');
    }
  };

  acquireBuffer(f: Flow): ReassemblyBuffer | null {
    const initial = 2048;
    if (this.buffered + initial > this.maxBufferedBytes) {
      this.stats.handshakeBufferEvictions++;
      f.hs = HsState.GaveUp;
      return null;
    }
    this.buffered += initial;
    f.reasm = new ReassemblyBuffer(initial, this.maxHandshakeBytes);
    return f.reasm;
  }

  growBuffer(delta: number): void {
    this.buffered += delta;
  }

  releaseBuffer(f: Flow): void {
    if (f.reasm) {
      this.buffered -= f.reasm.capacity;
      f.reasm = null;
    }
  }

  finishFlow(f: Flow): void {
    this.emit(f);
  }

  connectionStarted(f: Flow): void {
    if (!this.onConnectionStart) return;
    this.onConnectionStart({
      transport: f.proto === PROTO_TCP ? 'tcp' : 'quic',
      srcIp: formatIp(f.ipVersion, f.c0, f.c1, f.c2, f.c3),
      srcPort: f.cport,
      dstIp: formatIp(f.ipVersion, f.s0, f.s1, f.s2, f.s3),
      dstPort: f.sport,
      startedAt: f.startTs,
    });
  }

  watchExchange(f: Flow): void {
    f.exWatched = true;
    this.watched.add(f);
  }

  emitExchange(f: Flow, final: boolean): void {
    if (this.exchangeListeners.length > 0) {
      const rec: ExchangeRecord = {
        ...toRecordBase(f),
        seq: f.exSeq,
        final,
        connectionStartedAt: f.startTs,
        startedAt: f.exStart,
        endedAt: f.exEnd,
        bytesUp: f.exUp,
        bytesDown: f.exDown,
      };
      for (const l of this.exchangeListeners) l(rec);
    }
    f.exSeq++;
    f.exUp = 0;
    f.exDown = 0;
    f.exHasRequest = false;
  }

  handshakeDone(f: Flow): void {
    this.stats.handshakesParsed++;
    if (this.handshakeListeners.length === 0) return;
    const rec = toRecord(f, f.closeReason);
    for (const l of this.handshakeListeners) l(rec);
  }

  private emit(f: Flow, reason?: FlowCloseReason): void {
    if (f.hs === HsState.Pending) {
      if (f.proto === PROTO_TCP) salvageTcpHello(f, this);
      else salvageQuicHello(f);
    }
    this.releaseBuffer(f);
    this.table.remove(f);
    if (f.exWatched) {
      this.watched.delete(f);
      f.exWatched = false;
    }
    closeFinalExchange(f, this);
    this.stats.flowsEmitted++;
    const rec = toRecord(f, reason ?? f.closeReason);
    for (const l of this.flowListeners) l(rec);
  }
}

function toRecord(f: Flow, reason: FlowCloseReason): FlowRecord {
  return {
    ...toRecordBase(f),
    startedAt: f.startTs,
    endedAt: f.lastTs,
    bytesUp: f.bytesUp,
    bytesDown: f.bytesDown,
    packetsUp: f.packetsUp,
    packetsDown: f.packetsDown,
    closeReason: reason,
  };
}

type RecordBase = Omit<
  FlowRecord,
  'startedAt' | 'endedAt' | 'bytesUp' | 'bytesDown' | 'packetsUp' | 'packetsDown' | 'closeReason'
>;

function toRecordBase(f: Flow): RecordBase {
  const h = f.hello;
  return {
    id: f.id,
    transport: f.proto === PROTO_TCP ? 'tcp' : 'quic',
    sni: h?.sni ?? null,
    alpn: h?.alpn ?? [],
    tlsVersions: h?.tlsVersions ?? [],
    ech: h?.ech ?? false,
    quicVersion: f.proto === PROTO_UDP && f.quicVersion !== 0 ? f.quicVersion : null,
    srcIp: formatIp(f.ipVersion, f.c0, f.c1, f.c2, f.c3),
    srcPort: f.cport,
    dstIp: formatIp(f.ipVersion, f.s0, f.s1, f.s2, f.s3),
    dstPort: f.sport,
  };
}

/** Creates a push-style engine: feed pcap/pcapng bytes, receive one record per connection. */
export function createCaptureEngine(opts: CaptureEngineOptions = {}): CaptureEngine {
  return new Engine(opts);
}
