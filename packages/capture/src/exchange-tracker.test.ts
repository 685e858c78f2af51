import { describe, expect, it } from 'vitest';
import { createCaptureEngine } from './capture-engine.js';
import type { ExchangeRecord, FlowRecord } from './flow.js';
import { reverse } from './testing/conversation.js';
import type { Endpoints } from './testing/packet-builder.js';
import { buildClientHello, frame, LINK_TYPES, tcpSegment, tlsRecords } from './testing/packet-builder.js';
import { writePcap } from './testing/pcap-tools.js';

const ACK = 0x10;
const PSH = 0x08;
const FIN = 0x01;
const SYN = 0x02;
const T0 = 1_700_000_000_000;
const e: Endpoints = { src: '10.0.0.2', dst: '104.18.32.47', sport: 51000, dport: 443 };
const hello = tlsRecords(buildClientHello({ sni: 'api.openai.com', alpn: ['http/1.1'] }));

type Step = { at: number; up?: number; down?: number; data?: Buffer; fin?: true };

/** A keep-alive TCP connection scripted as timed upload/download steps (sizes only). */
function connection(
  steps: Step[],
  opts: { serverData?: boolean; pureAcks?: boolean } = {},
): { pcap: Buffer; up: number; down: number } {
  const r = reverse(e);
  let c = 1001;
  let s = 500_001;
  const pkts: Array<{ at: number; ip: Buffer }> = [
    { at: 0, ip: tcpSegment(e, 1000, 0, SYN) },
    { at: 0, ip: tcpSegment(r, 500_000, 1001, SYN | ACK) },
    { at: 0, ip: tcpSegment(e, 1001, 500_001, ACK) },
  ];
  let up = 0;
  let down = 0;
  for (const step of steps) {
    if (step.up || step.data) {
      const data = step.data ?? Buffer.alloc(step.up!, 0x17);
      pkts.push({ at: step.at, ip: tcpSegment(e, c, s, ACK | PSH, data) });
      c += data.length;
      up += data.length;
    }
    for (let left = step.down ?? 0; left > 0; left -= 1400) {
      const n = Math.min(1400, left);
      // The agent's capture filter keeps none of the server's data: only the client's ACKs of it.
      if (opts.serverData !== false)
        pkts.push({ at: step.at, ip: tcpSegment(r, s, c, ACK | PSH, Buffer.alloc(n, 0x17)) });
      s += n;
      down += n;
      if (opts.pureAcks !== false) pkts.push({ at: step.at, ip: tcpSegment(e, c, s, ACK) });
    }
    if (step.fin) {
      pkts.push({ at: step.at, ip: tcpSegment(e, c, s, ACK | FIN) });
      pkts.push({ at: step.at, ip: tcpSegment(r, s, c + 1, ACK | FIN) });
      pkts.push({ at: step.at, ip: tcpSegment(e, c + 1, s + 1, ACK) });
    }
  }
  const records = pkts.map(({ at, ip }) => {
    const data = frame('ethernet', ip);
    const ms = T0 + at;
    return { tsSec: Math.floor(ms / 1000), tsFrac: (ms % 1000) * 1000, data, origLen: data.length };
  });
  return { pcap: writePcap({ le: true, nanos: false, linkType: LINK_TYPES.ethernet, records }), up, down };
}

function run(pcap: Buffer, opts: Parameters<typeof createCaptureEngine>[0] = {}) {
  const exchanges: ExchangeRecord[] = [];
  const flows: FlowRecord[] = [];
  const engine = createCaptureEngine({
    ...opts,
    onExchange: (x) => exchanges.push(x),
    onFlow: (f) => flows.push(f),
  });
  return { engine, exchanges, flows, feed: () => engine.push(pcap) };
}

describe('request/response exchanges', () => {
  // Handshake, then three requests: one after a pause, one back to back, each with ACK-sized
  // uploads (client ACK-with-data, HTTP/2-style control frames) in the middle of the download.
  const script: Step[] = [
    { at: 0, data: hello },
    { at: 5, down: 3000 }, // server flight
    { at: 10, up: 80 }, // TLS Finished…
    { at: 11, up: 700 }, // …and request 1
    { at: 300, down: 2000 },
    { at: 320, up: 31 }, // a WINDOW_UPDATE-sized upload, not a request
    { at: 400, down: 9000 },
    { at: 5000, up: 900 }, // request 2 after a pause
    { at: 5400, down: 4000 },
    { at: 5410, up: 650 }, // request 3 right behind it
    { at: 5800, down: 6000 },
    { at: 6500, up: 24, fin: true }, // close_notify and FIN, before the idle gap
  ];

  it('splits a keep-alive connection into exchanges that add up to its totals exactly', () => {
    const { pcap, up, down } = connection(script);
    const { engine, exchanges, flows } = run(pcap);
    engine.push(pcap);
    engine.end();
    expect(flows).toHaveLength(1);
    expect(flows[0]).toMatchObject({ bytesUp: up, bytesDown: down, sni: 'api.openai.com' });
    expect(exchanges.map((x) => [x.seq, x.bytesUp, x.bytesDown, x.final])).toEqual([
      [0, hello.length + 80 + 700 + 31, 3000 + 2000 + 9000, false],
      [1, 900, 4000, false],
      [2, 650 + 24, 6000, true],
    ]);
    expect(exchanges.every((x) => x.id === flows[0]!.id && x.sni === 'api.openai.com')).toBe(true);
    expect(exchanges[1]).toMatchObject({ startedAt: T0 + 5000, endedAt: T0 + 5400 });
    expect(exchanges.reduce((n, x) => n + x.bytesUp, 0)).toBe(up);
    expect(exchanges.reduce((n, x) => n + x.bytesDown, 0)).toBe(down);
  });

  it('reports an answered exchange after the idle gap while the connection stays open', () => {
    const { pcap } = connection(script.slice(0, 7));
    const { engine, exchanges, feed } = run(pcap, { exchangeIdleMs: 2000 });
    feed();
    engine.expire(T0 + 400 + 1999);
    expect(exchanges).toHaveLength(0);
    engine.expire(T0 + 400 + 2000);
    expect(exchanges.map((x) => [x.seq, x.bytesDown, x.final])).toEqual([[0, 14_000, false]]);
    engine.end();
    // Nothing was left: the end adds no empty exchange.
    expect(exchanges).toHaveLength(1);
  });

  it('never reports a request whose answer has not started, nor a preconnect on its own', () => {
    const { pcap } = connection([
      { at: 0, data: hello },
      { at: 5, down: 3000 },
      { at: 10, up: 80 }, // handshake done, no request yet (a browser preconnect)
    ]);
    const { engine, exchanges, feed } = run(pcap);
    feed();
    engine.expire(T0 + 60_000);
    expect(exchanges).toHaveLength(0);
    engine.end();
    expect(exchanges.map((x) => [x.seq, x.bytesUp, x.bytesDown, x.final])).toEqual([
      [0, hello.length + 80, 3000, true],
    ]);
  });

  it('waits for the answer when only handshake leftovers came down before a long think', () => {
    // TLS 1.3 session tickets and HTTP/2 SETTINGS arrive right after the request; the answer
    // itself only after a 5 s think (a CPU-starved or reasoning server): still one exchange.
    const { pcap } = connection([
      { at: 0, data: hello },
      { at: 5, down: 3000 },
      { at: 10, up: 300 },
      { at: 15, down: 574 },
      { at: 16, up: 31 },
      { at: 17, down: 31 },
      { at: 5000, down: 4000, fin: true },
    ]);
    const { engine, exchanges, feed } = run(pcap, { exchangeIdleMs: 2000 });
    feed();
    engine.end();
    expect(exchanges.map((x) => [x.seq, x.bytesDown, x.final])).toEqual([[0, 3000 + 574 + 31 + 4000, true]]);
  });

  it('still reports an HTTP/2 request live after an idle gap that came before it', () => {
    // curl over HTTP/2: TLS Finished, then (here only after a 2 s gap: a preconnect, or a client
    // or agent starved of CPU) the connection preface and SETTINGS, HEADERS and DATA; the server's
    // session tickets and SETTINGS; the answer; the second request, answered only much later.
    // The gap reports nothing and must not lose track of what the later upload is: the first
    // request is reported 2 s after the second was sent, not when the connection closes.
    const steps: Step[] = [
      { at: 0, data: hello },
      { at: 5, down: 3000 },
      { at: 10, up: 80 },
      { at: 2500, up: 86 },
      { at: 2500, up: 123 },
      { at: 2500, up: 644 },
      { at: 2510, down: 605 },
      { at: 2511, up: 31 },
      { at: 2512, down: 31 },
      { at: 2700, down: 6400 },
      { at: 2750, up: 83 },
      { at: 2750, up: 644 },
    ];
    const { pcap, up, down } = connection(steps, { serverData: false });
    const { engine, exchanges, feed } = run(pcap, { countDownFromAcks: true, exchangeIdleMs: 2000 });
    feed();
    expect(exchanges).toHaveLength(0);
    engine.expire(T0 + 2750 + 2000);
    expect(exchanges.map((x) => [x.seq, x.bytesUp, x.bytesDown, x.final])).toEqual([
      [0, hello.length + 80 + 86 + 123 + 644 + 31, 3000 + 605 + 31 + 6400, false],
    ]);
    engine.end();
    expect(exchanges.map((x) => [x.seq, x.bytesUp, x.bytesDown, x.final])).toEqual([
      [0, hello.length + 80 + 86 + 123 + 644 + 31, 3000 + 605 + 31 + 6400, false],
      [1, 83 + 644, 0, true],
    ]);
    expect(exchanges.reduce((n, x) => n + x.bytesUp, 0)).toBe(up);
    expect(exchanges.reduce((n, x) => n + x.bytesDown, 0)).toBe(down);
  });

  it("counts the download from the client's ACKs when the server's data is filtered out", () => {
    const full = connection(script);
    const filtered = connection(script, { serverData: false });
    const a = run(full.pcap);
    a.feed();
    a.engine.end();
    const b = run(filtered.pcap, { countDownFromAcks: true });
    b.feed();
    b.engine.end();
    expect(b.flows[0]).toMatchObject({ bytesUp: full.up, bytesDown: full.down });
    const totals = (x: ExchangeRecord[]) => x.map((e) => [e.seq, e.bytesUp, e.bytesDown, e.final]);
    expect(totals(b.exchanges)).toEqual(totals(a.exchanges));
    // With the server's data present as well, nothing is counted twice.
    const c = run(full.pcap, { countDownFromAcks: true });
    c.feed();
    c.engine.end();
    expect(c.flows[0]).toMatchObject({ bytesUp: full.up, bytesDown: full.down });
    // A delayed ACK: the first answer is acknowledged only by the next request's segment, which
    // still starts a new exchange (the ACK is counted before the request's own payload).
    const piggy = connection(
      [
        { at: 0, data: hello },
        { at: 5, down: 3000 },
        { at: 10, up: 700 },
        { at: 300, down: 1000 },
        { at: 320, up: 800 },
        { at: 600, down: 2000, fin: true },
      ],
      { serverData: false, pureAcks: false },
    );
    const d = run(piggy.pcap, { countDownFromAcks: true });
    d.feed();
    d.engine.end();
    expect(d.flows[0]).toMatchObject({ bytesUp: piggy.up, bytesDown: piggy.down });
    expect(d.exchanges.map((x) => [x.seq, x.bytesUp, x.bytesDown])).toEqual([
      [0, hello.length + 700, 3000 + 1000],
      [1, 800, 2000],
    ]);
  });

  it('emits a closed connection at once with emitOnClose, without waiting for the linger', () => {
    const { pcap, up } = connection([
      { at: 0, data: hello },
      { at: 5, down: 3000 },
      { at: 10, up: 500 },
      { at: 20, down: 1000, fin: true },
    ]);
    const { exchanges, flows, feed } = run(pcap, { emitOnClose: true });
    feed();
    expect(flows).toHaveLength(1);
    expect(flows[0]).toMatchObject({ bytesUp: up, closeReason: 'fin' });
    expect(exchanges).toHaveLength(1);
  });
});
