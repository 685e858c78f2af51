/** The capture could not be read (not a pcap/pcapng file, or a record whose framing is corrupt). */
export class CaptureFormatError extends Error {
  override name = 'CaptureFormatError';
}

/** Called once per captured packet; `buf` is only valid during the call. */
export type PacketSink = (
  buf: Uint8Array,
  off: number,
  capLen: number,
  origLen: number,
  linkType: number,
  tsMs: number,
) => void;

const PCAP_MAX_RECORD = 1 << 20; // tcpdump's snaplen is 262144; GSO packets stay well below 1 MiB
const PCAPNG_MAX_BLOCK = 1 << 24;
const SHB = 0x0a0d0d0a;

function isCaptureMagic(b: Uint8Array): boolean {
  const le = (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  const be = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  return le === SHB || le === 0xa1b2c3d4 || le === 0xa1b23c4d || be === 0xa1b2c3d4 || be === 0xa1b23c4d;
}

interface PcapngInterface {
  linkType: number;
  /** Multiply a 64-bit timestamp count by this to get milliseconds. */
  msPerTick: number;
  offsetMs: number;
}

enum Format {
  Unknown = 0,
  Pcap = 1,
  Pcapng = 2,
}

/**
 * Incremental pcap / pcapng reader: feed arbitrary chunks with `push`, call `end` at EOF. Never throws on
 * bad input; framing errors stop the reader and are reported through `error`.
 */
export class CaptureReader {
  error: CaptureFormatError | null = null;
  /** Set when the input ended in the middle of a record (e.g. tcpdump killed mid-write). */
  truncatedTail = false;
  private bytesPushed = 0;
  private format = Format.Unknown;
  private pending: Uint8Array | null = null;
  private le = true;
  private nanos = false;
  private linkType = 0;
  private ifaces: PcapngInterface[] = [];

  constructor(private readonly sink: PacketSink) {}

  push(chunk: Uint8Array): void {
    if (this.error || chunk.length === 0) return;
    this.bytesPushed += chunk.length;
    let buf = chunk;
    const pending = this.pending;
    if (pending) {
      // Complete the record split across chunks by copying only a small head of the new chunk, then
      // parse the rest of the chunk in place (copying whole chunks would double the cost of big files).
      this.pending = null;
      let take = Math.min(chunk.length, 65_536);
      for (;;) {
        const merged = new Uint8Array(pending.length + take);
        merged.set(pending, 0);
        merged.set(chunk.subarray(0, take), pending.length);
        const used = this.parse(merged);
        if (this.error) return;
        if (used > pending.length || take === chunk.length) {
          if (take === chunk.length) {
            if (used < merged.length) this.pending = merged.slice(used);
            return;
          }
          buf = chunk.subarray(used - pending.length);
          break;
        }
        take = Math.min(chunk.length, take * 16); // the split record is bigger than 64 KiB
      }
    }
    const used = this.parse(buf);
    if (!this.error && used < buf.length) this.pending = buf.slice(used);
  }

  /** Parses whole records from `buf`; returns how many bytes were consumed. */
  private parse(buf: Uint8Array): number {
    let off = 0;
    if (this.format === Format.Unknown) {
      if (buf.length >= 4 && !isCaptureMagic(buf)) {
        this.error = new CaptureFormatError('not a pcap or pcapng capture (unknown magic number)');
        return 0;
      }
      if (buf.length < 24) return 0;
      off = this.readFileHeader(buf);
      if (this.error) return 0;
    }
    return this.format === Format.Pcap ? this.readPcapRecords(buf, off) : this.readPcapngBlocks(buf, off);
  }

  /** Input bytes fully parsed so far (for progress reporting). */
  get bytesConsumed(): number {
    return this.bytesPushed - (this.pending ? this.pending.length : 0);
  }

  end(): void {
    if (this.error) return;
    if (this.format === Format.Unknown) {
      this.error = new CaptureFormatError(
        this.pending ? 'input is too short to be a pcap or pcapng capture' : 'input is empty, not a capture',
      );
      return;
    }
    if (this.pending && this.pending.length > 0) this.truncatedTail = true;
    this.pending = null;
  }

  private readFileHeader(b: Uint8Array): number {
    const magicLe = (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
    const magicBe = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
    if (magicLe === SHB) {
      this.format = Format.Pcapng;
      return 0;
    }
    for (const [magic, le] of [
      [magicLe, true],
      [magicBe, false],
    ] as const) {
      if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) {
        this.format = Format.Pcap;
        this.le = le;
        this.nanos = magic === 0xa1b23c4d;
        this.linkType = this.u32(b, 20) & 0xffff; // upper bits carry FCS info
        return 24;
      }
    }
    this.error = new CaptureFormatError('not a pcap or pcapng capture (unknown magic number)');
    return 0;
  }

  private u32(b: Uint8Array, o: number): number {
    return this.le
      ? (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0
      : ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
  }

  private u16(b: Uint8Array, o: number): number {
    return this.le ? b[o]! | (b[o + 1]! << 8) : (b[o]! << 8) | b[o + 1]!;
  }

  private readPcapRecords(b: Uint8Array, start: number): number {
    let off = start;
    const len = b.length;
    const div = this.nanos ? 1e6 : 1e3;
    const linkType = this.linkType;
    const sink = this.sink;
    while (off + 16 <= len) {
      const incl = this.u32(b, off + 8);
      if (incl > PCAP_MAX_RECORD) {
        this.error = new CaptureFormatError(`corrupt pcap record (captured length ${incl}) at byte ${off}`);
        return off;
      }
      if (off + 16 + incl > len) break;
      const tsMs = this.u32(b, off) * 1000 + this.u32(b, off + 4) / div;
      sink(b, off + 16, incl, this.u32(b, off + 12), linkType, tsMs);
      off += 16 + incl;
    }
    return off;
  }

  private readPcapngBlocks(b: Uint8Array, start: number): number {
    let off = start;
    const len = b.length;
    while (off + 12 <= len) {
      const typeLe = (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0;
      if (typeLe === SHB) {
        // Byte order is per section: read it from the byte-order magic before trusting any length.
        const bom = (b[off + 8]! | (b[off + 9]! << 8) | (b[off + 10]! << 16) | (b[off + 11]! << 24)) >>> 0;
        if (bom === 0x1a2b3c4d) this.le = true;
        else if (bom === 0x4d3c2b1a) this.le = false;
        else {
          this.error = new CaptureFormatError(`corrupt pcapng section header at byte ${off}`);
          return off;
        }
        this.ifaces = [];
      }
      const type = this.u32(b, off);
      const blockLen = this.u32(b, off + 4);
      if (blockLen < 12 || blockLen % 4 !== 0 || blockLen > PCAPNG_MAX_BLOCK) {
        this.error = new CaptureFormatError(`corrupt pcapng block (length ${blockLen}) at byte ${off}`);
        return off;
      }
      if (off + blockLen > len) break;
      if (type === 6) this.readEpb(b, off, blockLen);
      else if (type === 3) this.readSpb(b, off, blockLen);
      else if (type === 2) this.readObsoletePacketBlock(b, off, blockLen);
      else if (type === 1) this.readIdb(b, off, blockLen);
      off += blockLen;
    }
    return off;
  }

  private readIdb(b: Uint8Array, off: number, blockLen: number): void {
    if (blockLen < 20) return;
    const iface: PcapngInterface = { linkType: this.u16(b, off + 8), msPerTick: 1e-3, offsetMs: 0 };
    let o = off + 16;
    const end = off + blockLen - 4;
    while (o + 4 <= end) {
      const code = this.u16(b, o);
      const olen = this.u16(b, o + 2);
      if (code === 0 || o + 4 + olen > end) break;
      if (code === 9 && olen >= 1) {
        const r = b[o + 4]!;
        const ticksPerSec = r & 0x80 ? 2 ** (r & 0x7f) : 10 ** r;
        iface.msPerTick = 1000 / ticksPerSec;
      } else if (code === 14 && olen >= 8) {
        const hi = this.u32(b, o + (this.le ? 8 : 4));
        const lo = this.u32(b, o + (this.le ? 4 : 8));
        iface.offsetMs = (hi * 4294967296 + lo) * 1000;
      }
      o += 4 + ((olen + 3) & ~3);
    }
    this.ifaces.push(iface);
  }

  private readEpb(b: Uint8Array, off: number, blockLen: number): void {
    if (blockLen < 32) return;
    const iface = this.ifaces[this.u32(b, off + 8)];
    if (!iface) return;
    const capLen = this.u32(b, off + 20);
    if (capLen > blockLen - 32) return;
    const ticks = this.u32(b, off + 12) * 4294967296 + this.u32(b, off + 16);
    const tsMs = ticks * iface.msPerTick + iface.offsetMs;
    this.sink(b, off + 28, capLen, this.u32(b, off + 24), iface.linkType, tsMs);
  }

  private readObsoletePacketBlock(b: Uint8Array, off: number, blockLen: number): void {
    if (blockLen < 32) return;
    const iface = this.ifaces[this.u16(b, off + 8)];
    if (!iface) return;
    const capLen = this.u32(b, off + 20);
    if (capLen > blockLen - 32) return;
    const ticks = this.u32(b, off + 12) * 4294967296 + this.u32(b, off + 16);
    this.sink(b, off + 28, capLen, this.u32(b, off + 24), iface.linkType, ticks * iface.msPerTick);
  }

  private readSpb(b: Uint8Array, off: number, blockLen: number): void {
    // Simple Packet Blocks have no timestamp and always belong to interface 0.
    const iface = this.ifaces[0];
    if (!iface || blockLen < 16) return;
    const orig = this.u32(b, off + 8);
    const capLen = Math.min(orig, blockLen - 16);
    this.sink(b, off + 12, capLen, orig, iface.linkType, 0);
  }
}
