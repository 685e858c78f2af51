import { describe, expect, it } from 'vitest';
import { createCaptureEngine } from './capture-engine.js';
import type { FlowRecord } from './flow.js';
import { pcapOf, reverse, tcpConversation } from './testing/conversation.js';
import type { Endpoints, LinkKind } from './testing/packet-builder.js';
import { buildClientHello, tcpSegment, tlsRecords } from './testing/packet-builder.js';

function replay(buf: Buffer, opts: Parameters<typeof createCaptureEngine>[0] = {}, chunk = buf.length) {
  const flows: FlowRecord[] = [];
  const engine = createCaptureEngine({ ...opts, onFlow: (f) => flows.push(f) });
  for (let o = 0; o < buf.length; o += chunk) engine.push(buf.subarray(o, o + chunk));
  engine.end();
  return { flows, engine };
}

const v4: Endpoints = { src: '10.0.0.2', dst: '104.18.32.47', sport: 51000, dport: 443 };
const v6: Endpoints = { src: '2001:db8::2', dst: '2606:4700::6812:202f', sport: 51001, dport: 443 };
// A post-quantum-sized ClientHello (~1.7 KB), like Chrome's.
const bigHello = tlsRecords(
  buildClientHello({ sni: 'api.openai.com', alpn: ['h2', 'http/1.1'], padTo: 1700 }),
);

describe('TCP flows and ClientHello reassembly', () => {
  for (const link of ['ethernet', 'vlan', 'sll', 'sll2', 'null', 'loop', 'raw'] as LinkKind[]) {
    for (const e of [v4, v6]) {
      it(`finds SNI and payload bytes over ${link} / ${e.src.includes(':') ? 'IPv6' : 'IPv4'}`, () => {
        const pkts = tcpConversation(e, { clientData: bigHello, cuts: [1448], serverBytes: 5000 });
        const { flows } = replay(pcapOf(pkts, link));
        expect(flows).toHaveLength(1);
        const f = flows[0]!;
        expect(f).toMatchObject({
          sni: 'api.openai.com',
          alpn: ['h2', 'http/1.1'],
          transport: 'tcp',
          srcIp: e.src,
          srcPort: e.sport,
          dstIp: e.dst,
          dstPort: 443,
          bytesUp: bigHello.length,
          bytesDown: 5000,
          closeReason: 'fin',
        });
        expect(f.packetsUp + f.packetsDown).toBe(pkts.length);
      });
    }
  }

  it('reassembles out-of-order, duplicated and overlapping segments and counts each byte once', () => {
    const cuts = [100, 700, 1200, 1500];
    const pkts = tcpConversation(v4, {
      clientData: bigHello,
      cuts,
      order: [3, 1, 4, 0, 2],
      duplicates: [1, 4],
      serverBytes: 3000,
    });
    // An overlapping retransmission covering bytes 50..800 with different content must not win.
    const bogus = Buffer.from(bigHello.subarray(50, 800)).fill(0x41, 0, 200);
    pkts.splice(7, 0, tcpSegment(v4, 1000 + 1 + 50, 500_001, 0x18, bogus));
    const { flows } = replay(pcapOf(pkts));
    expect(flows[0]).toMatchObject({ sni: 'api.openai.com', bytesUp: bigHello.length, bytesDown: 3000 });
  });

  it('joins a ClientHello fragmented at the TLS record layer across segments', () => {
    const hello = tlsRecords(buildClientHello({ sni: 'claude.ai', padTo: 3000 }), 100);
    const cuts = Array.from({ length: 8 }, (_, i) => 57 + i * 400);
    const { flows } = replay(
      pcapOf(tcpConversation(v4, { clientData: hello, cuts, order: [8, 7, 6, 5, 4, 3, 2, 1, 0] })),
    );
    expect(flows[0]?.sni).toBe('claude.ai');
  });

  it('learns direction mid-stream from the ClientHello and from the server port', () => {
    const hello = tlsRecords(buildClientHello({ sni: 'api.anthropic.com' }));
    const noHandshake = tcpConversation(
      { ...v4, dport: 8443 },
      { clientData: hello, withHandshake: false, serverBytes: 2000 },
    );
    const { flows } = replay(pcapOf(noHandshake));
    expect(flows[0]).toMatchObject({
      sni: 'api.anthropic.com',
      srcPort: v4.sport,
      dstPort: 8443,
      bytesUp: hello.length,
    });
    // Capture starting with server data (no SYN, no ClientHello): port 443 marks the server.
    const onlyServer = [tcpSegment(reverse(v4), 9000, 1, 0x18, Buffer.alloc(1000))];
    const r = replay(pcapOf(onlyServer)).flows[0]!;
    expect(r).toMatchObject({ srcIp: v4.src, dstPort: 443, bytesDown: 1000, bytesUp: 0, sni: null });
  });

  it('starts from a SYN-ACK when the SYN was missed', () => {
    const pkts = tcpConversation(v4, { clientData: bigHello, cuts: [1448], order: [1, 0] }).slice(1);
    expect(replay(pcapOf(pkts)).flows[0]).toMatchObject({ sni: 'api.openai.com', srcPort: v4.sport });
  });

  it('recognises TLS on any port and ignores non-TLS payloads', () => {
    const tls = tcpConversation(
      { ...v4, dport: 9999 },
      { clientData: tlsRecords(buildClientHello({ sni: 'api.x.ai' })) },
    );
    const http = tcpConversation(
      { ...v4, sport: 52000, dport: 80 },
      { clientData: Buffer.from('GET / HTTP/1.1\r\n\r\n') },
    );
    const { flows } = replay(pcapOf([...tls, ...http]));
    expect(flows.map((f) => [f.dstPort, f.sni])).toEqual([
      [9999, 'api.x.ai'],
      [80, null],
    ]);
  });

  it('reports ECH and falls back to a partial parse when the rest of the ClientHello never comes', () => {
    const ech = tlsRecords(buildClientHello({ sni: 'cloudflare-ech.com', ech: true }));
    expect(replay(pcapOf(tcpConversation(v4, { clientData: ech }))).flows[0]).toMatchObject({
      sni: 'cloudflare-ech.com',
      ech: true,
    });
    // Second segment lost: the SNI sits in the first one.
    const pkts = tcpConversation(v4, { clientData: bigHello, cuts: [600], order: [0] });
    expect(replay(pcapOf(pkts)).flows[0]?.sni).toBe('api.openai.com');
  });

  it('keeps memory bounded: flow cap and handshake buffer budget evict with counters', () => {
    const pkts: Buffer[] = [];
    for (let i = 0; i < 300; i++) {
      const e = { ...v4, sport: 10000 + i };
      // Only the first half of each ClientHello: every flow holds a handshake buffer.
      pkts.push(...tcpConversation(e, { clientData: bigHello, cuts: [1448], order: [0] }).slice(0, 4));
    }
    const { flows, engine } = replay(pcapOf(pkts), { maxFlows: 100, maxBufferedBytes: 40 * 2048 });
    expect(flows).toHaveLength(300);
    expect(engine.stats.flowEvictions).toBe(200);
    expect(engine.stats.handshakeBufferEvictions).toBeGreaterThan(0);
    expect(flows.filter((f) => f.closeReason === 'evicted')).toHaveLength(200);
  });

  it('expires idle flows and separates a reused 5-tuple', () => {
    const hello = tlsRecords(buildClientHello({ sni: 'api.openai.com' }));
    const a = tcpConversation(v4, { clientData: hello });
    const b = tcpConversation(v4, { clientData: hello, isn: 77_777 });
    const { flows } = replay(pcapOf([...a, ...b]));
    expect(flows).toHaveLength(2);
    const idle = pcapOf([...a.slice(0, 4)], 'ethernet', 1e12);
    const late = pcapOf(
      tcpConversation({ ...v4, sport: 1234 }, { clientData: hello }),
      'ethernet',
      1e12 + 3_600_000,
    );
    const both = Buffer.concat([idle, late.subarray(24)]);
    const r = replay(both, { tcpIdleMs: 60_000 });
    expect(r.flows[0]).toMatchObject({ closeReason: 'idle', srcPort: v4.sport });
  });
});
