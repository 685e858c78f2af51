import { describe, expect, it } from 'vitest';
import { createCaptureEngine } from './capture-engine.js';
import type { FlowRecord } from './flow.js';
import { QUIC_V1, QUIC_V2 } from './quic-initial.js';
import { pcapOf, reverse, tcpConversation } from './testing/conversation.js';
import type { Endpoints } from './testing/packet-builder.js';
import { buildClientHello, frame, LINK_TYPES, tlsRecords, udpDatagram } from './testing/packet-builder.js';
import { convertPcap, writePcapng } from './testing/pcap-tools.js';
import { cryptoFrame, protectClientInitial } from './testing/quic-vectors.js';

function replay(chunks: Uint8Array[]) {
  const flows: FlowRecord[] = [];
  const engine = createCaptureEngine({ onFlow: (f) => flows.push(f) });
  for (const c of chunks) engine.push(c);
  engine.end();
  return { flows, engine };
}

const e: Endpoints = { src: '192.168.1.5', dst: '162.159.140.245', sport: 40000, dport: 443 };
const hello = tlsRecords(buildClientHello({ sni: 'chatgpt.com', padTo: 1700 }));
const pkts = tcpConversation(e, { clientData: hello, cuts: [1448], serverBytes: 4000 });
const base = pcapOf(pkts, 'ethernet', 1_700_000_000_123.456);

describe('capture formats', () => {
  for (const [name, opts] of [
    ['little-endian µs', { le: true, nanos: false }],
    ['big-endian µs', { le: false, nanos: false }],
    ['little-endian ns', { le: true, nanos: true }],
    ['big-endian ns', { le: false, nanos: true }],
  ] as const) {
    it(`reads pcap ${name}`, () => {
      const { flows } = replay([convertPcap(base, opts)]);
      expect(flows[0]).toMatchObject({ sni: 'chatgpt.com', bytesUp: hello.length, bytesDown: 4000 });
      expect(new Date(flows[0]!.startedAt).toISOString()).toBe('2023-11-14T22:13:20.123Z');
    });
  }

  it('gives the same result whatever the chunking (streaming from a pipe)', () => {
    // Flow ids are unique per process (a restarted engine must not reuse one), so each replay differs there.
    const withoutIds = (flows: FlowRecord[]) => flows.map(({ id: _id, ...rest }) => rest);
    const whole = withoutIds(replay([base]).flows);
    for (const size of [1, 7, 100, 4096]) {
      const chunks: Uint8Array[] = [];
      for (let o = 0; o < base.length; o += size) chunks.push(base.subarray(o, o + size));
      expect(withoutIds(replay(chunks).flows)).toEqual(whole);
    }
  });

  it('handles a truncated final record cleanly', () => {
    const { flows, engine } = replay([base.subarray(0, base.length - 10)]);
    expect(engine.error).toBeNull();
    expect(engine.stats.truncatedTail).toBe(true);
    expect(flows[0]?.sni).toBe('chatgpt.com');
  });

  it('rejects non-capture input with a clear error and never throws', () => {
    for (const junk of [
      Buffer.from('hello world, this is not a pcap file'),
      Buffer.alloc(0),
      Buffer.from([1, 2]),
    ]) {
      const { engine } = replay([junk]);
      expect(engine.error?.message).toMatch(/not a capture|not a pcap|too short/);
    }
  });

  for (const le of [true, false]) {
    it(`reads pcapng (${le ? 'little' : 'big'}-endian) with several interfaces of different link types`, () => {
      const other: Endpoints = { src: '::1', dst: '::1', sport: 40001, dport: 8443 };
      const hello2 = tlsRecords(buildClientHello({ sni: 'api.mistral.ai' }));
      const pkts2 = tcpConversation(other, { clientData: hello2, serverBytes: 100 });
      const ifaces = [
        { linkType: LINK_TYPES.sll2 },
        { linkType: LINK_TYPES.ethernet, nanos: true },
        { linkType: LINK_TYPES.raw },
      ];
      const packets = [
        ...pkts.map((p, i) => ({
          iface: i % 2 === 0 ? 0 : 2,
          tsMs: 1e12 + i,
          data: frame(i % 2 === 0 ? 'sll2' : 'raw', p),
        })),
        ...pkts2.map((p, i) => ({ iface: 1, tsMs: 1e12 + 100 + i, data: frame('ethernet', p) })),
      ];
      const { flows } = replay([writePcapng(ifaces, packets, le)]);
      const bySni = Object.fromEntries(flows.map((f) => [f.sni, f]));
      expect(bySni['chatgpt.com']).toMatchObject({ bytesUp: hello.length, bytesDown: 4000 });
      expect(bySni['api.mistral.ai']).toMatchObject({ srcIp: '::1', bytesDown: 100, startedAt: 1e12 + 100 });
    });
  }

  it('reads pcapng Simple Packet Blocks', () => {
    const packets = pkts.map((p) => ({ iface: 0, tsMs: 0, data: frame('ethernet', p), simple: true }));
    expect(replay([writePcapng([{ linkType: 1 }], packets)]).flows[0]?.sni).toBe('chatgpt.com');
  });
});

describe('QUIC Initials', () => {
  const q: Endpoints = { src: '10.1.1.1', dst: '10.2.2.2', sport: 55555, dport: 443 };
  const ch = buildClientHello({ sni: 'gemini.google.com', alpn: ['h3'], padTo: 1800 });
  const dcid = Buffer.from('0011223344556677', 'hex');

  function initials(version: number, parts: [number, number][][], opts: { secondDcid?: Buffer } = {}) {
    return parts.map((frames, i) => {
      const payload = Buffer.concat([
        ...frames.map(([s, end]) => cryptoFrame(s, ch.subarray(s, end))),
        Buffer.from([1]), // PING
      ]);
      const padded = Buffer.concat([payload, Buffer.alloc(Math.max(0, 1150 - payload.length))]);
      const d = i > 0 && opts.secondDcid ? opts.secondDcid : dcid;
      return protectClientInitial({ version, dcid: d, keyDcid: dcid, pn: i, payload: padded });
    });
  }

  for (const version of [QUIC_V1, QUIC_V2]) {
    it(`reassembles shuffled CRYPTO frames over two Initials, swapped (v${version === QUIC_V1 ? 1 : 2})`, () => {
      const [p1, p2] = initials(version, [
        [
          [900, 1200],
          [0, 400],
        ],
        [
          [1200, ch.length],
          [400, 900],
        ],
      ]);
      const datagrams = [
        udpDatagram(q, p2!),
        udpDatagram(q, p1!),
        udpDatagram(reverse(q), Buffer.alloc(1200, 0x40)),
      ];
      const { flows } = replay([pcapOf(datagrams)]);
      expect(flows[0]).toMatchObject({
        transport: 'quic',
        sni: 'gemini.google.com',
        alpn: ['h3'],
        quicVersion: version,
        bytesUp: p1!.length + p2!.length,
        bytesDown: 1200,
        packetsUp: 2,
        packetsDown: 1,
      });
    });
  }

  it('decrypts coalesced packets and later Initials with a new DCID using the first DCID keys', () => {
    const [p1, p2] = initials(QUIC_V1, [[[0, 700]], [[700, ch.length]]], {
      secondDcid: Buffer.from('aabbccdd', 'hex'),
    });
    const junk = Buffer.from([0x40, 1, 2, 3]); // short-header tail, ignored
    const datagram = udpDatagram({ ...q, dport: 8443 }, Buffer.concat([p1!, p2!, junk]));
    expect(replay([pcapOf([datagram])]).flows[0]).toMatchObject({ sni: 'gemini.google.com', dstPort: 8443 });
  });

  it('ignores UDP that is not QUIC', () => {
    const { flows, engine } = replay([pcapOf([udpDatagram({ ...q, dport: 53 }, Buffer.alloc(40))])]);
    expect(flows).toHaveLength(0);
    expect(engine.stats.udpNonQuic).toBe(1);
  });
});
