const MAX_RANGES = 64;

/**
 * Byte-stream reassembly by offset for the first bytes of a stream (a TCP client's first flight or QUIC
 * CRYPTO data). Segments may arrive in any order, duplicated or overlapping; the first copy of a byte wins,
 * as in most IDS reassemblers. Memory is bounded by `maxBytes`.
 */
export class ReassemblyBuffer {
  data: Uint8Array;
  /** Sorted, non-overlapping, non-adjacent [start, end) ranges as a flat array. */
  private ranges: number[] = [];

  constructor(
    initialBytes: number,
    private readonly maxBytes: number,
  ) {
    this.data = new Uint8Array(Math.min(initialBytes, maxBytes));
  }

  /** Length of the gap-free prefix starting at offset 0. */
  get contiguous(): number {
    return this.ranges[0] === 0 ? this.ranges[1]! : 0;
  }

  get capacity(): number {
    return this.data.length;
  }

  /**
   * Adds `len` bytes of `src` at stream offset `at`. Returns false when the data does not fit the
   * bounds (offset past `maxBytes` or too many holes) — the caller then gives up on this stream.
   */
  insert(at: number, src: Uint8Array, srcOff: number, len: number): boolean {
    if (len <= 0) return true;
    let end = at + len;
    if (at >= this.maxBytes) return false;
    if (end > this.maxBytes) end = this.maxBytes;
    if (end > this.data.length) this.grow(end);
    // Copy only into the holes so earlier bytes are never overwritten.
    let cursor = at;
    const r = this.ranges;
    for (let i = 0; i < r.length && cursor < end; i += 2) {
      const rs = r[i]!;
      const re = r[i + 1]!;
      if (re <= cursor) continue;
      if (rs >= end) break;
      if (rs > cursor) this.data.set(src.subarray(srcOff + cursor - at, srcOff + rs - at), cursor);
      cursor = re;
    }
    if (cursor < end) this.data.set(src.subarray(srcOff + cursor - at, srcOff + end - at), cursor);
    this.addRange(at, end);
    return r.length <= MAX_RANGES * 2;
  }

  private grow(min: number): void {
    let size = this.data.length * 2 || 2048;
    while (size < min) size *= 2;
    if (size > this.maxBytes) size = this.maxBytes;
    const next = new Uint8Array(size);
    next.set(this.data);
    this.data = next;
  }

  private addRange(s: number, e: number): void {
    const r = this.ranges;
    let i = 0;
    while (i < r.length && r[i + 1]! < s) i += 2;
    let j = i;
    let ns = s;
    let ne = e;
    while (j < r.length && r[j]! <= ne) {
      if (r[j]! < ns) ns = r[j]!;
      if (r[j + 1]! > ne) ne = r[j + 1]!;
      j += 2;
    }
    r.splice(i, j - i, ns, ne);
  }
}
