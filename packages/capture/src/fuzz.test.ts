import { describe, expect, it } from 'vitest';
import { createCaptureEngine } from './capture-engine.js';
import { pcapOf, tcpConversation } from './testing/conversation.js';
import { buildClientHello, tlsRecords, udpDatagram } from './testing/packet-builder.js';
import { writePcapng } from './testing/pcap-tools.js';
import { buildRfcClientInitial } from './testing/quic-vectors.js';
import { parseClientHello } from './tls-client-hello.js';

/** Deterministic PRNG so a failure can be replayed from its seed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const hello = tlsRecords(buildClientHello({ sni: 'api.openai.com', alpn: ['h2'], padTo: 1700 }), 500);
const seedPackets = [
  ...tcpConversation(
    { src: '10.0.0.1', dst: '10.0.0.2', sport: 1000, dport: 443 },
    { clientData: hello, cuts: [700, 1400], serverBytes: 3000 },
  ),
  udpDatagram({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1001, dport: 443 }, buildRfcClientInitial(1)),
];
const corpus = [
  pcapOf(seedPackets),
  pcapOf(seedPackets, 'sll2'),
  writePcapng(
    [{ linkType: 101 }],
    seedPackets.map((data) => ({ iface: 0, tsMs: 1e12, data })),
  ),
];

function mutate(buf: Buffer, r: () => number): Buffer {
  const out = Buffer.from(buf);
  const n = 1 + Math.floor(r() * 20);
  for (let i = 0; i < n; i++) {
    // Keep the file header intact most of the time so mutations reach the packet parsers.
    const at = (r() < 0.9 ? 24 : 0) + Math.floor(r() * (out.length - 24));
    out[at] = r() < 0.5 ? Math.floor(r() * 256) : out[at]! ^ (1 << Math.floor(r() * 8));
  }
  return out;
}

function run(buf: Buffer, chunk: number, opts = {}) {
  let flows = 0;
  const engine = createCaptureEngine({ ...opts, onFlow: () => flows++ });
  for (let o = 0; o < buf.length; o += chunk) engine.push(buf.subarray(o, o + chunk));
  engine.end();
  return { engine, flows };
}

describe('fuzzing', () => {
  it('survives thousands of mutated captures without throwing or hanging', () => {
    const r = rng(42);
    const started = Date.now();
    for (let i = 0; i < 3000; i++) {
      const base = corpus[i % corpus.length]!;
      const buf = mutate(base, r);
      expect(() => run(buf, 1 + Math.floor(r() * 4096))).not.toThrow();
    }
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('survives random bytes behind valid headers', () => {
    const r = rng(7);
    for (let i = 0; i < 500; i++) {
      const body = Buffer.from(Array.from({ length: Math.floor(r() * 5000) }, () => Math.floor(r() * 256)));
      const head = corpus[i % 3]!.subarray(0, i % 3 === 2 ? 28 + 20 : 24);
      expect(() => run(Buffer.concat([head, body]), 997)).not.toThrow();
    }
  });

  it('never throws in the ClientHello parser on truncated or corrupted messages', () => {
    const ch = buildClientHello({ sni: 'api.openai.com', alpn: ['h2'], ech: true });
    const r = rng(3);
    for (let i = 0; i < 5000; i++) {
      const b = Buffer.from(ch);
      for (let k = 0; k < 4; k++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
      const end = Math.floor(r() * b.length);
      expect(() => parseClientHello(b, 0, end, r() < 0.5)).not.toThrow();
      expect(() => parseClientHello(b, 0, b.length)).not.toThrow();
    }
  });

  it('holds the flow and buffer caps under a flood of half-open handshakes', () => {
    const pkts: Buffer[] = [];
    for (let i = 0; i < 5000; i++) {
      const e = {
        src: `10.${(i >> 8) & 255}.${i & 255}.1`,
        dst: '10.9.9.9',
        sport: 20000 + (i % 40000),
        dport: 443,
      };
      pkts.push(...tcpConversation(e, { clientData: hello, cuts: [700], order: [0] }).slice(0, 4));
    }
    let peak = 0;
    const engine = createCaptureEngine({
      maxFlows: 1000,
      maxBufferedBytes: 1 << 20,
      onFlow: () => {
        peak = Math.max(peak, engine.activeFlows);
      },
    });
    engine.push(pcapOf(pkts));
    expect(engine.activeFlows).toBeLessThanOrEqual(1000);
    engine.end();
    expect(peak).toBeLessThanOrEqual(1001);
    expect(engine.stats.flowEvictions).toBe(4000);
    expect(engine.stats.flowsEmitted).toBe(5000);
  });
});
