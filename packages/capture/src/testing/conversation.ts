import type { Endpoints, LinkKind } from './packet-builder.js';
import { frame, LINK_TYPES, tcpSegment } from './packet-builder.js';
import { writePcap } from './pcap-tools.js';

const SYN = 0x02;
const ACK = 0x10;
const PSH = 0x08;
const FIN = 0x01;

export function reverse(e: Endpoints): Endpoints {
  return { src: e.dst, dst: e.src, sport: e.dport, dport: e.sport };
}

/**
 * IP packets of one TLS-over-TCP connection: handshake, the client's first flight cut at `cuts`
 * (offsets into `clientData`), sent in `order` with `duplicates` re-sent afterwards, then `serverBytes`
 * of response and a FIN exchange.
 */
export function tcpConversation(
  e: Endpoints,
  opts: {
    clientData: Buffer;
    cuts?: number[];
    order?: number[];
    duplicates?: number[];
    serverBytes?: number;
    isn?: number;
    withHandshake?: boolean;
  },
): Buffer[] {
  const r = reverse(e);
  const cIsn = opts.isn ?? 1000;
  const sIsn = 500_000;
  const out: Buffer[] = [];
  if (opts.withHandshake !== false) {
    out.push(tcpSegment(e, cIsn, 0, SYN));
    out.push(tcpSegment(r, sIsn, cIsn + 1, SYN | ACK));
    out.push(tcpSegment(e, cIsn + 1, sIsn + 1, ACK));
  }
  const bounds = [0, ...(opts.cuts ?? []), opts.clientData.length];
  const segs = bounds.slice(0, -1).map((s, i) => ({ s, e: bounds[i + 1]! }));
  const order = opts.order ?? segs.map((_, i) => i);
  const send = (i: number) => {
    const seg = segs[i]!;
    out.push(tcpSegment(e, cIsn + 1 + seg.s, sIsn + 1, ACK | PSH, opts.clientData.subarray(seg.s, seg.e)));
  };
  for (const i of order) send(i);
  for (const i of opts.duplicates ?? []) send(i);
  const cEnd = cIsn + 1 + opts.clientData.length;
  let sSeq = sIsn + 1;
  let left = opts.serverBytes ?? 0;
  while (left > 0) {
    const n = Math.min(1400, left);
    out.push(tcpSegment(r, sSeq, cEnd, ACK | PSH, Buffer.alloc(n, 0x17)));
    sSeq += n;
    left -= n;
  }
  out.push(tcpSegment(e, cEnd, sSeq, ACK | FIN));
  out.push(tcpSegment(r, sSeq, cEnd + 1, ACK | FIN));
  out.push(tcpSegment(e, cEnd + 1, sSeq + 1, ACK));
  return out;
}

/** A classic pcap of IP packets framed with `link`, 1 ms apart from `startMs`. */
export function pcapOf(packets: Buffer[], link: LinkKind = 'ethernet', startMs = 1_700_000_000_000): Buffer {
  return writePcap({
    le: true,
    nanos: false,
    linkType: LINK_TYPES[link],
    records: packets.map((p, i) => {
      const data = frame(link, p);
      const ms = startMs + i;
      return { tsSec: Math.floor(ms / 1000), tsFrac: (ms % 1000) * 1000, data, origLen: data.length };
    }),
  });
}
