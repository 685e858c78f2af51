import type { InitialKeys } from './quic-initial.js';
import type { ReassemblyBuffer } from './reassembly-buffer.js';
import type { ClientHelloInfo } from './tls-client-hello.js';

export enum HsState {
  /** Still waiting for (the rest of) the ClientHello: payload bytes are inspected. */
  Pending = 0,
  Done = 1,
  NotTls = 2,
  GaveUp = 3,
}

export enum CloseState {
  Open = 0,
  /** FIN both ways or RST seen: the flow lingers briefly to absorb trailing ACKs. */
  Closing = 1,
}

/**
 * Per-connection state. "c" is the client (initiator) side, "s" the server. Fields are plain numbers so
 * the object keeps one hidden class and the hot path stays monomorphic.
 */
export class Flow {
  hash = 0;
  proto = 0;
  ipVersion = 4;
  c0 = 0;
  c1 = 0;
  c2 = 0;
  c3 = 0;
  s0 = 0;
  s1 = 0;
  s2 = 0;
  s3 = 0;
  cport = 0;
  sport = 0;
  /** Direction was learnt from a SYN or a ClientHello (not guessed from ports). */
  directionKnown = false;
  nextInBucket: Flow | null = null;
  lruPrev: Flow | null = null;
  lruNext: Flow | null = null;

  startTs = 0;
  lastTs = 0;
  bytesUp = 0;
  bytesDown = 0;
  packetsUp = 0;
  packetsDown = 0;

  // TCP sequence tracking: highest sequence number reached per side (payload only), as unsigned 32-bit.
  cNext = 0;
  sNext = 0;
  cSeqKnown = false;
  sSeqKnown = false;
  /** Client stream offset 0 (ISN + 1) for handshake reassembly. */
  cBase = 0;
  cBaseKnown = false;
  finUp = false;
  finDown = false;
  /** Server stream position of its FIN (the FIN itself takes one sequence number, no byte). */
  sFin = 0;
  closeState = CloseState.Open;
  closeReason: FlowCloseReason = 'end';

  hs = HsState.Pending;
  hsPackets = 0;
  reasm: ReassemblyBuffer | null = null;
  hello: ClientHelloInfo | null = null;

  quicVersion = 0;
  quicKeys: InitialKeys | null = null;
  quicDcid: Uint8Array | null = null;

  /** Engine-local connection number (FlowRecord.id). */
  id = 0;
  // Exchange segmentation (see exchange-tracker.ts): totals of the exchange in progress, and an
  // upload burst that began after a download and is not yet known to be a new request.
  exSeq = 0;
  exUp = 0;
  exDown = 0;
  exStart = 0;
  exEnd = 0;
  /** A download has been seen since the exchange's (last) upload. */
  exDownPhase = false;
  /** The exchange holds a request (a substantial upload burst), so it may be reported on its own. */
  exHasRequest = false;
  /** Download bytes since the exchange's request: its answer has begun only past a threshold. */
  exDownSinceRequest = 0;
  /** The handshake's exchange has absorbed the connection's first request. */
  firstRequestSeen = false;
  pendUp = 0;
  pendEligible = 0;
  pendStart = 0;
  pendEnd = 0;
  /** In the engine's set of flows whose exchange may be closed by an idle gap. */
  exWatched = false;

  /** Swap client and server when a ClientHello proves the port-based guess wrong. */
  swapDirection(): void {
    let t = this.c0;
    this.c0 = this.s0;
    this.s0 = t;
    t = this.c1;
    this.c1 = this.s1;
    this.s1 = t;
    t = this.c2;
    this.c2 = this.s2;
    this.s2 = t;
    t = this.c3;
    this.c3 = this.s3;
    this.s3 = t;
    t = this.cport;
    this.cport = this.sport;
    this.sport = t;
    t = this.bytesUp;
    this.bytesUp = this.bytesDown;
    this.bytesDown = t;
    t = this.exUp;
    this.exUp = this.exDown;
    this.exDown = t;
    t = this.packetsUp;
    this.packetsUp = this.packetsDown;
    this.packetsDown = t;
    t = this.cNext;
    this.cNext = this.sNext;
    this.sNext = t;
    const k = this.cSeqKnown;
    this.cSeqKnown = this.sSeqKnown;
    this.sSeqKnown = k;
    const f = this.finUp;
    this.finUp = this.finDown;
    this.finDown = f;
    this.cBaseKnown = false;
  }
}

export type FlowCloseReason = 'fin' | 'rst' | 'idle' | 'evicted' | 'end';

/** One finished connection as reported by the engine. */
export interface FlowRecord {
  /** Engine-local connection number, shared with the connection's exchanges. */
  id: number;
  transport: 'tcp' | 'quic';
  sni: string | null;
  alpn: string[];
  tlsVersions: number[];
  ech: boolean;
  /** QUIC version number (1, 0x6b3343cf, …) for QUIC flows, else null. */
  quicVersion: number | null;
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
  /** Capture timestamps in milliseconds since the Unix epoch. */
  startedAt: number;
  endedAt: number;
  /** Transport payload bytes client → server (TCP: sequence space, so retransmissions count once). */
  bytesUp: number;
  bytesDown: number;
  packetsUp: number;
  packetsDown: number;
  closeReason: FlowCloseReason;
}

/**
 * One request/response exchange of a connection: an upload burst and the download that answered
 * it, closed by the next request, an idle gap, or the connection's end. Totals only — never packet
 * sizes or timings. The exchanges of a connection add up to exactly its byte counts.
 */
export interface ExchangeRecord extends Omit<FlowRecord, 'closeReason' | 'packetsUp' | 'packetsDown'> {
  /** 0, 1, 2, … per connection; exchange 0 also carries the TLS/QUIC handshake. */
  seq: number;
  /** The connection's end: no later exchange will follow. */
  final: boolean;
  /** When the connection started (the exchange's own span is startedAt..endedAt). */
  connectionStartedAt: number;
}
