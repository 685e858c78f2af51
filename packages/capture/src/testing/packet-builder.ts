/** Builds link/IP/TCP/UDP frames for synthetic captures in tests (checksums are left zero). */

export interface Endpoints {
  src: string;
  dst: string;
  sport: number;
  dport: number;
}

function ipv4Bytes(ip: string): Buffer {
  return Buffer.from(ip.split('.').map(Number));
}

function ipv6Bytes(ip: string): Buffer {
  const [head = '', tail = ''] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = ip.includes('::') && tail ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const b = Buffer.alloc(16);
  for (const [i, g] of groups.entries()) b.writeUInt16BE(Number.parseInt(g, 16), i * 2);
  return b;
}

export function tcpSegment(
  e: Endpoints,
  seq: number,
  ack: number,
  flags: number,
  payload: Uint8Array = new Uint8Array(0),
) {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(e.sport, 0);
  h.writeUInt16BE(e.dport, 2);
  h.writeUInt32BE(seq >>> 0, 4);
  h.writeUInt32BE(ack >>> 0, 8);
  h[12] = 5 << 4;
  h[13] = flags;
  h.writeUInt16BE(65535, 14);
  return ipPacket(e, 6, Buffer.concat([h, payload]));
}

export function udpDatagram(e: Endpoints, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(e.sport, 0);
  h.writeUInt16BE(e.dport, 2);
  h.writeUInt16BE(8 + payload.length, 4);
  return ipPacket(e, 17, Buffer.concat([h, payload]));
}

/** An IP packet (v4 or v6 by the address form); IPv4 gets a 4-byte NOP option to exercise IHL. */
export function ipPacket(e: Endpoints, proto: number, l4: Buffer): Buffer {
  if (e.src.includes(':')) {
    const h = Buffer.alloc(40);
    h[0] = 0x60;
    h.writeUInt16BE(l4.length + 8, 4);
    h[6] = 0; // hop-by-hop extension header first, to exercise the chain walk
    h[7] = 64;
    ipv6Bytes(e.src).copy(h, 8);
    ipv6Bytes(e.dst).copy(h, 24);
    const hop = Buffer.from([proto, 0, 1, 4, 0, 0, 0, 0]);
    return Buffer.concat([h, hop, l4]);
  }
  const h = Buffer.alloc(24);
  h[0] = 0x46;
  h.writeUInt16BE(24 + l4.length, 2);
  h[6] = 0x40; // DF
  h[8] = 64;
  h[9] = proto;
  ipv4Bytes(e.src).copy(h, 12);
  ipv4Bytes(e.dst).copy(h, 16);
  h.fill(1, 20, 24); // NOP options
  return Buffer.concat([h, l4]);
}

export type LinkKind = 'ethernet' | 'vlan' | 'sll' | 'sll2' | 'null' | 'loop' | 'raw';

export const LINK_TYPES: Record<LinkKind, number> = {
  ethernet: 1,
  vlan: 1,
  sll: 113,
  sll2: 276,
  null: 0,
  loop: 108,
  raw: 101,
};

/** Wraps an IP packet in the given link-layer header. */
export function frame(kind: LinkKind, ip: Buffer): Buffer {
  const v6 = ip[0]! >> 4 === 6;
  const et = v6 ? 0x86dd : 0x0800;
  switch (kind) {
    case 'ethernet':
    case 'vlan': {
      const h = Buffer.alloc(kind === 'vlan' ? 18 : 14);
      if (kind === 'vlan') {
        h.writeUInt16BE(0x8100, 12);
        h.writeUInt16BE(42, 14);
        h.writeUInt16BE(et, 16);
      } else h.writeUInt16BE(et, 12);
      return Buffer.concat([h, ip]);
    }
    case 'sll': {
      const h = Buffer.alloc(16);
      h.writeUInt16BE(772, 2);
      h.writeUInt16BE(et, 14);
      return Buffer.concat([h, ip]);
    }
    case 'sll2': {
      const h = Buffer.alloc(20);
      h.writeUInt16BE(et, 0);
      h.writeUInt32BE(1, 4);
      h.writeUInt16BE(772, 8);
      return Buffer.concat([h, ip]);
    }
    case 'null': {
      const h = Buffer.alloc(4);
      h.writeUInt32LE(v6 ? 30 : 2);
      return Buffer.concat([h, ip]);
    }
    case 'loop': {
      const h = Buffer.alloc(4);
      h.writeUInt32BE(v6 ? 30 : 2);
      return Buffer.concat([h, ip]);
    }
    case 'raw':
      return ip;
  }
}

/** A TLS 1.3-style ClientHello handshake message (type 1 + uint24 length + body). */
export function buildClientHello(opts: { sni?: string; alpn?: string[]; ech?: boolean; padTo?: number }) {
  const exts: Buffer[] = [];
  const ext = (type: number, body: Buffer) => {
    const h = Buffer.alloc(4);
    h.writeUInt16BE(type, 0);
    h.writeUInt16BE(body.length, 2);
    exts.push(h, body);
  };
  ext(0x1a1a, Buffer.alloc(0)); // GREASE
  if (opts.sni !== undefined) {
    const name = Buffer.from(opts.sni);
    const b = Buffer.alloc(5);
    b.writeUInt16BE(name.length + 3, 0);
    b[2] = 0;
    b.writeUInt16BE(name.length, 3);
    ext(0, Buffer.concat([b, name]));
  }
  if (opts.alpn) {
    const list = Buffer.concat(
      opts.alpn.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p)])),
    );
    const l = Buffer.alloc(2);
    l.writeUInt16BE(list.length);
    ext(16, Buffer.concat([l, list]));
  }
  ext(43, Buffer.from([6, 0x3a, 0x3a, 3, 4, 3, 3]));
  if (opts.ech) ext(0xfe0d, Buffer.from([0, 0, 1, 0, 1, 7, 0, 0, 0, 0]));
  // A big key share stands in for the post-quantum one that makes ClientHellos span segments.
  if (opts.padTo) ext(21, Buffer.alloc(Math.max(0, opts.padTo - 100)));
  const extBytes = Buffer.concat(exts);
  const body = Buffer.concat([
    Buffer.from([3, 3]),
    Buffer.alloc(32, 7),
    Buffer.from([32]),
    Buffer.alloc(32, 9),
    Buffer.from([0, 4, 0x13, 1, 0x13, 2, 1, 0]),
    Buffer.from([extBytes.length >> 8, extBytes.length & 255]),
    extBytes,
  ]);
  return Buffer.concat([
    Buffer.from([1, body.length >> 16, (body.length >> 8) & 255, body.length & 255]),
    body,
  ]);
}

/** Wraps handshake bytes in TLS records of at most `recordSize` bytes each. */
export function tlsRecords(handshake: Buffer, recordSize = 16384): Buffer {
  const out: Buffer[] = [];
  for (let o = 0; o < handshake.length; o += recordSize) {
    const part = handshake.subarray(o, o + recordSize);
    out.push(Buffer.from([0x16, 3, 1, part.length >> 8, part.length & 255]), part);
  }
  return Buffer.concat(out);
}
