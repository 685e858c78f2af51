import { Flow } from './flow.js';
import type { PacketInfo } from './packet-info.js';

function mixAddr(a: number, b: number, c: number, d: number): number {
  let h = Math.imul(a ^ 0x27d4eb2f, 0x9e3779b1);
  h = Math.imul(h ^ b ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ c ^ (h >>> 13), 0xc2b2ae35);
  return Math.imul(h ^ d ^ (h >>> 16), 0x9e3779b1);
}

/** Unique per process, not per table: a restarted engine must not reuse a live connection's id. */
let nextFlowId = 1;

/**
 * Flow table keyed by the 5-tuple in either direction, with an intrusive LRU list (oldest at `head`)
 * for idle expiry and for evicting the least recently used flow when the table is full. Lookups hash
 * into a Map of bucket chains so no key object or string is built per packet.
 */
export class FlowTable {
  private buckets = new Map<number, Flow>();
  size = 0;
  head: Flow | null = null;
  tail: Flow | null = null;
  /** Direction of the packet matched by the last `find`: true = client → server. */
  up = true;
  /** Hash computed by the last `find`, reused by `create`. */
  private lastHash = 0;

  find(p: PacketInfo): Flow | null {
    const ha = mixAddr(p.s0, p.s1, p.s2, p.s3);
    const hb = mixAddr(p.d0, p.d1, p.d2, p.d3);
    let h = Math.imul((ha + hb) ^ (ha ^ hb), 0x85ebca6b) ^ Math.imul(p.sport + p.dport, 0x27d4eb2f);
    h ^= Math.imul(p.sport ^ p.dport, 0x165667b1) ^ p.proto;
    h = (h ^ (h >>> 16)) & 0x3fffffff;
    this.lastHash = h;
    for (let f = this.buckets.get(h) ?? null; f !== null; f = f.nextInBucket) {
      if (f.proto !== p.proto) continue;
      if (
        f.cport === p.sport &&
        f.sport === p.dport &&
        f.c3 === p.s3 &&
        f.s3 === p.d3 &&
        f.c2 === p.s2 &&
        f.s2 === p.d2 &&
        f.c1 === p.s1 &&
        f.s1 === p.d1 &&
        f.c0 === p.s0 &&
        f.s0 === p.d0
      ) {
        this.up = true;
        return f;
      }
      if (
        f.cport === p.dport &&
        f.sport === p.sport &&
        f.c3 === p.d3 &&
        f.s3 === p.s3 &&
        f.c2 === p.d2 &&
        f.s2 === p.s2 &&
        f.c1 === p.d1 &&
        f.s1 === p.s1 &&
        f.c0 === p.d0 &&
        f.s0 === p.s0
      ) {
        this.up = false;
        return f;
      }
    }
    return null;
  }

  /** Creates a flow for the packet last passed to `find`, with the packet's sender as the client. */
  create(p: PacketInfo): Flow {
    const f = new Flow();
    f.id = nextFlowId++;
    f.hash = this.lastHash;
    f.proto = p.proto;
    f.ipVersion = p.ipVersion;
    f.c0 = p.s0;
    f.c1 = p.s1;
    f.c2 = p.s2;
    f.c3 = p.s3;
    f.s0 = p.d0;
    f.s1 = p.d1;
    f.s2 = p.d2;
    f.s3 = p.d3;
    f.cport = p.sport;
    f.sport = p.dport;
    f.startTs = p.tsMs;
    f.lastTs = p.tsMs;
    f.nextInBucket = this.buckets.get(f.hash) ?? null;
    this.buckets.set(f.hash, f);
    this.size++;
    this.appendLru(f);
    this.up = true;
    return f;
  }

  remove(f: Flow): void {
    const first = this.buckets.get(f.hash);
    if (first === f) {
      if (f.nextInBucket) this.buckets.set(f.hash, f.nextInBucket);
      else this.buckets.delete(f.hash);
    } else {
      for (let x = first ?? null; x !== null; x = x.nextInBucket) {
        if (x.nextInBucket === f) {
          x.nextInBucket = f.nextInBucket;
          break;
        }
      }
    }
    f.nextInBucket = null;
    this.unlinkLru(f);
    this.size--;
  }

  /** Marks the flow as most recently used. */
  touch(f: Flow): void {
    if (this.tail === f) return;
    this.unlinkLru(f);
    this.appendLru(f);
  }

  private appendLru(f: Flow): void {
    f.lruPrev = this.tail;
    f.lruNext = null;
    if (this.tail) this.tail.lruNext = f;
    else this.head = f;
    this.tail = f;
  }

  private unlinkLru(f: Flow): void {
    if (f.lruPrev) f.lruPrev.lruNext = f.lruNext;
    else this.head = f.lruNext;
    if (f.lruNext) f.lruNext.lruPrev = f.lruPrev;
    else this.tail = f.lruPrev;
    f.lruPrev = null;
    f.lruNext = null;
  }
}
