/** Test-side pcap/pcapng writing and rewriting (byte order, timestamp precision, segment order). */

export interface PcapRecord {
  tsSec: number;
  /** Microseconds or nanoseconds, as the file's precision says. */
  tsFrac: number;
  data: Buffer;
  origLen: number;
}

export interface PcapFile {
  le: boolean;
  nanos: boolean;
  linkType: number;
  records: PcapRecord[];
}

export function parsePcap(buf: Buffer): PcapFile {
  const magicLe = buf.readUInt32LE(0);
  const le = magicLe === 0xa1b2c3d4 || magicLe === 0xa1b23c4d;
  const magic = le ? magicLe : buf.readUInt32BE(0);
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const records: PcapRecord[] = [];
  let o = 24;
  while (o + 16 <= buf.length) {
    const incl = u32(o + 8);
    records.push({
      tsSec: u32(o),
      tsFrac: u32(o + 4),
      origLen: u32(o + 12),
      data: Buffer.from(buf.subarray(o + 16, o + 16 + incl)),
    });
    o += 16 + incl;
  }
  return { le, nanos: magic === 0xa1b23c4d, linkType: u32(20), records };
}

export function writePcap(file: PcapFile): Buffer {
  const parts: Buffer[] = [];
  const head = Buffer.alloc(24);
  const w32 = (b: Buffer, v: number, o: number) => (file.le ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o));
  const w16 = (b: Buffer, v: number, o: number) => (file.le ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o));
  w32(head, file.nanos ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  w16(head, 2, 4);
  w16(head, 4, 6);
  w32(head, 262144, 16);
  w32(head, file.linkType, 20);
  parts.push(head);
  for (const r of file.records) {
    const h = Buffer.alloc(16);
    w32(h, r.tsSec, 0);
    w32(h, r.tsFrac, 4);
    w32(h, r.data.length, 8);
    w32(h, r.origLen, 12);
    parts.push(h, r.data);
  }
  return Buffer.concat(parts);
}

/** Same packets, other byte order and/or timestamp precision. */
export function convertPcap(buf: Buffer, opts: { le?: boolean; nanos?: boolean }): Buffer {
  const f = parsePcap(buf);
  const nanos = opts.nanos ?? f.nanos;
  const scale = nanos === f.nanos ? 1 : nanos ? 1000 : 0.001;
  return writePcap({
    ...f,
    le: opts.le ?? f.le,
    nanos,
    records: f.records.map((r) => ({ ...r, tsFrac: Math.floor(r.tsFrac * scale) })),
  });
}

export interface PcapngPacket {
  iface: number;
  tsMs: number;
  data: Buffer;
  /** Write a Simple Packet Block instead of an Enhanced one (interface 0 only). */
  simple?: boolean;
}

/** pcapng with one IDB per link type (if_tsresol 9 = nanoseconds when asked) and EPB/SPB packets. */
export function writePcapng(
  ifaces: { linkType: number; nanos?: boolean }[],
  packets: PcapngPacket[],
  le = true,
) {
  const blocks: Buffer[] = [];
  const block = (type: number, body: Buffer) => {
    const padded = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
    const b = Buffer.alloc(12 + padded.length);
    const w32 = (v: number, o: number) => (le ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o));
    w32(type, 0);
    w32(b.length, 4);
    padded.copy(b, 8);
    w32(b.length, b.length - 4);
    blocks.push(b);
  };
  const u32 = (v: number) => {
    const b = Buffer.alloc(4);
    if (le) b.writeUInt32LE(v >>> 0);
    else b.writeUInt32BE(v >>> 0);
    return b;
  };
  const u16 = (v: number) => {
    const b = Buffer.alloc(2);
    if (le) b.writeUInt16LE(v);
    else b.writeUInt16BE(v);
    return b;
  };
  block(0x0a0d0d0a, Buffer.concat([u32(0x1a2b3c4d), u16(1), u16(0), u32(0xffffffff), u32(0xffffffff)]));
  for (const i of ifaces) {
    const opts = i.nanos
      ? Buffer.concat([u16(9), u16(1), Buffer.from([9, 0, 0, 0]), u16(0), u16(0)])
      : Buffer.alloc(0);
    block(1, Buffer.concat([u16(i.linkType), u16(0), u32(262144), opts]));
  }
  for (const p of packets) {
    if (p.simple) {
      block(3, Buffer.concat([u32(p.data.length), p.data]));
      continue;
    }
    const ticks = BigInt(Math.round(p.tsMs * 1000)) * (ifaces[p.iface]?.nanos ? 1000n : 1n);
    const hi = Number(ticks >> 32n);
    const lo = Number(ticks & 0xffffffffn);
    block(6, Buffer.concat([u32(p.iface), u32(hi), u32(lo), u32(p.data.length), u32(p.data.length), p.data]));
  }
  return Buffer.concat(blocks);
}
