import type { Flow } from './flow.js';

/** What the exchange segmentation needs from the engine. */
export interface ExchangeSink {
  /** Payload bytes an upload burst needs to count as a request (ACKs, control frames are less). */
  readonly minRequestBytes: number;
  /**
   * Download bytes after a request before an idle gap may report it: less is not the answer yet
   * but the handshake's leftovers (TLS 1.3 session tickets, HTTP/2 SETTINGS) or a keep-alive PING.
   */
  readonly minAnswerBytes: number;
  /** Reports the flow's exchange in progress and starts the next one. */
  emitExchange(f: Flow, final: boolean): void;
  /** The flow's exchange may now be closed by an idle gap. */
  watchExchange(f: Flow): void;
}

/*
 * A connection is cut into request/response exchanges: an upload burst and the download that
 * answers it. An upload that follows a download is held as "pending" until the next download (or
 * an idle gap) shows how big the burst was: a substantial one (≥ minRequestBytes of request
 * payload) is a new request and closes the exchange before it; a small one (TCP/QUIC ACKs, TLS
 * Finished, HTTP/2 SETTINGS/PING/WINDOW_UPDATE, close_notify) is folded into the exchange in
 * progress. Exchange 0 carries the handshake and absorbs the connection's first request, so a
 * one-request connection is one exchange. Only totals are kept, never sizes or times per packet.
 */

/** Client → server payload; `eligible` is the part that may make a burst a request. */
export function noteUpload(f: Flow, len: number, eligible: number, ts: number): void {
  if (f.exDownPhase) {
    if (f.pendUp === 0) f.pendStart = ts;
    f.pendUp += len;
    f.pendEligible += eligible;
    f.pendEnd = ts;
    return;
  }
  if (f.exUp === 0 && f.exDown === 0) f.exStart = ts;
  f.exUp += len;
  f.exEnd = ts;
}

/** Server → client payload. */
export function noteDownload(f: Flow, len: number, ts: number, sink: ExchangeSink): void {
  if (f.pendUp > 0) resolvePending(f, sink);
  if (f.exUp === 0 && f.exDown === 0) f.exStart = ts;
  f.exDown += len;
  f.exDownSinceRequest += len;
  f.exEnd = ts;
  f.exDownPhase = true;
  if (!f.exWatched) sink.watchExchange(f);
}

/** Decides what the pending upload burst was: a new request, or part of the exchange in progress. */
function resolvePending(f: Flow, sink: ExchangeSink): void {
  const request = f.pendEligible >= sink.minRequestBytes;
  if (request && f.firstRequestSeen && f.hello !== null) {
    if (f.exUp + f.exDown > 0) sink.emitExchange(f, false);
    f.exUp = f.pendUp;
    f.exDown = 0;
    f.exStart = f.pendStart;
    f.exEnd = f.pendEnd;
    f.exHasRequest = true;
    f.exDownSinceRequest = 0;
  } else {
    if (f.exUp === 0 && f.exDown === 0) f.exStart = f.pendStart;
    f.exUp += f.pendUp;
    f.exEnd = Math.max(f.exEnd, f.pendEnd);
    if (request) {
      f.firstRequestSeen = true;
      f.exHasRequest = true;
      f.exDownSinceRequest = 0;
    }
  }
  f.pendUp = 0;
  f.pendEligible = 0;
  f.exDownPhase = false;
}

/**
 * Called for a watched flow once it has carried no payload for the idle gap: the answer is
 * complete, so the exchange is reported while the connection stays open. The handshake alone (a
 * preconnect) and tiny keep-alive traffic are not reported on their own; their bytes go with the
 * next exchange. A gap that reports nothing leaves the pending upload pending: resolving it here
 * would end the download phase, so that the request which follows the gap (an HTTP/2 client's
 * preface, HEADERS and DATA after its TLS Finished) would be added to the exchange without
 * counting as one, and every later request would then be folded into exchange 0 — reported only
 * when the connection closes.
 */
export function closeIdleExchange(f: Flow, sink: ExchangeSink): void {
  if (f.hello === null) return;
  if (f.pendUp > 0 && f.firstRequestSeen && f.pendEligible >= sink.minRequestBytes) {
    // A new request after an answered one: the exchange before it is complete.
    resolvePending(f, sink);
    return;
  }
  if (f.exDown === 0 || !f.firstRequestSeen) return;
  if ((f.exHasRequest ? f.exDownSinceRequest : f.exDown) < sink.minAnswerBytes) return;
  // A small upload after the answer (ACK, WINDOW_UPDATE, close_notify) belongs to it.
  if (f.pendUp > 0) resolvePending(f, sink);
  sink.emitExchange(f, false);
  f.exDownPhase = true;
}

/** The connection ended: what is left becomes its final exchange (false when nothing is left). */
export function closeFinalExchange(f: Flow, sink: ExchangeSink): boolean {
  if (f.pendUp > 0) resolvePending(f, sink);
  if (f.hello === null) return false;
  if (f.exUp + f.exDown === 0 && f.exSeq > 0) return false;
  sink.emitExchange(f, true);
  return true;
}

/** The last payload of the flow's exchange in progress (or of its pending upload). */
export const lastPayloadAt = (f: Flow): number => Math.max(f.pendEnd, f.exEnd);
