import type { CaptureStats, PacketInfo } from './packet-info.js';
import { PROTO_TCP, PROTO_UDP } from './packet-info.js';

// Link-layer types (https://www.tcpdump.org/linktypes.html).
export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;

function isKnownEtherVlan(t: number): boolean {
  return t === 0x8100 || t === 0x88a8 || t === 0x9100;
}

/**
 * Decodes link, IP and TCP/UDP headers of one captured packet into `p`. Returns true when `p` describes a
 * TCP or UDP packet the flow table should see. Bounds are checked against `end` (the captured length), and
 * byte reads are inlined because this runs for every packet.
 */
export function decodePacket(
  p: PacketInfo,
  b: Uint8Array,
  off: number,
  capLen: number,
  linkType: number,
  stats: CaptureStats,
): boolean {
  const end = off + capLen;
  let ip = off;
  let etherType = -1;
  switch (linkType) {
    case LINKTYPE_ETHERNET: {
      if (capLen < 14) return truncated(stats);
      etherType = (b[off + 12]! << 8) | b[off + 13]!;
      ip = off + 14;
      while (isKnownEtherVlan(etherType)) {
        if (ip + 4 > end) return truncated(stats);
        etherType = (b[ip + 2]! << 8) | b[ip + 3]!;
        ip += 4;
      }
      break;
    }
    case LINKTYPE_LINUX_SLL2:
      if (capLen < 20) return truncated(stats);
      etherType = (b[off]! << 8) | b[off + 1]!;
      ip = off + 20;
      break;
    case LINKTYPE_LINUX_SLL:
      if (capLen < 16) return truncated(stats);
      etherType = (b[off + 14]! << 8) | b[off + 15]!;
      ip = off + 16;
      break;
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP: {
      if (capLen < 4) return truncated(stats);
      // NULL stores the address family in the writer's byte order, LOOP in network order: accept both.
      const le = b[off]! | (b[off + 1]! << 8);
      const be = (b[off + 2]! << 8) | b[off + 3]!;
      const af = le !== 0 ? le : be;
      ip = off + 4;
      etherType = af === 2 ? ETH_IPV4 : af === 24 || af === 28 || af === 30 || af === 10 ? ETH_IPV6 : -2;
      break;
    }
    case LINKTYPE_RAW:
    case 12:
    case 14:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6:
      etherType = 0; // decided by the IP version nibble below
      break;
    default:
      stats.unsupportedLinkType++;
      return false;
  }
  if (ip >= end) return truncated(stats);
  const version = b[ip]! >> 4;
  if (etherType === 0) etherType = version === 4 ? ETH_IPV4 : version === 6 ? ETH_IPV6 : -2;
  if (etherType === ETH_IPV4 && version === 4) return decodeIpv4(p, b, ip, end, stats);
  if (etherType === ETH_IPV6 && version === 6) return decodeIpv6(p, b, ip, end, stats);
  stats.nonIp++;
  return false;
}

function truncated(stats: CaptureStats): false {
  stats.truncated++;
  return false;
}

function decodeIpv4(p: PacketInfo, b: Uint8Array, ip: number, end: number, stats: CaptureStats): boolean {
  if (ip + 20 > end) return truncated(stats);
  const ihl = (b[ip]! & 0x0f) * 4;
  if (ihl < 20 || ip + ihl > end) return truncated(stats);
  let total = (b[ip + 2]! << 8) | b[ip + 3]!;
  // A zero total length appears on TSO super-packets captured before segmentation: trust the capture.
  if (total === 0) total = end - ip;
  if (total < ihl) return truncated(stats);
  const frag = ((b[ip + 6]! << 8) | b[ip + 7]!) & 0x3fff;
  if (frag !== 0) {
    stats.ipFragments++;
    // Later fragments carry no transport header: they are counted, never reassembled.
    if ((frag & 0x1fff) !== 0) return false;
  }
  p.ipVersion = 4;
  p.s0 = 0;
  p.s1 = 0;
  p.s2 = 0xffff;
  p.s3 = ((b[ip + 12]! << 24) | (b[ip + 13]! << 16) | (b[ip + 14]! << 8) | b[ip + 15]!) >>> 0;
  p.d0 = 0;
  p.d1 = 0;
  p.d2 = 0xffff;
  p.d3 = ((b[ip + 16]! << 24) | (b[ip + 17]! << 16) | (b[ip + 18]! << 8) | b[ip + 19]!) >>> 0;
  return decodeTransport(p, b, b[ip + 9]!, ip + ihl, ip + total, end, stats);
}

function read32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

function decodeIpv6(p: PacketInfo, b: Uint8Array, ip: number, end: number, stats: CaptureStats): boolean {
  if (ip + 40 > end) return truncated(stats);
  const plen = (b[ip + 4]! << 8) | b[ip + 5]!;
  const ipEnd = plen === 0 ? end : ip + 40 + plen; // 0 = jumbogram or offloaded: trust the capture
  let next = b[ip + 6]!;
  p.ipVersion = 6;
  p.s0 = read32(b, ip + 8);
  p.s1 = read32(b, ip + 12);
  p.s2 = read32(b, ip + 16);
  p.s3 = read32(b, ip + 20);
  p.d0 = read32(b, ip + 24);
  p.d1 = read32(b, ip + 28);
  p.d2 = read32(b, ip + 32);
  p.d3 = read32(b, ip + 36);
  let h = ip + 40;
  // Walk extension headers; the count bound stops hostile chains.
  for (let i = 0; i < 16; i++) {
    if (next === 0 || next === 43 || next === 60 || next === 135 || next === 139 || next === 140) {
      if (h + 8 > end) return truncated(stats);
      next = b[h]!;
      h += (b[h + 1]! + 1) * 8;
    } else if (next === 51) {
      if (h + 8 > end) return truncated(stats);
      next = b[h]!;
      h += (b[h + 1]! + 2) * 4;
    } else if (next === 44) {
      if (h + 8 > end) return truncated(stats);
      stats.ipFragments++;
      const fragOff = ((b[h + 2]! << 8) | b[h + 3]!) & 0xfff8;
      if (fragOff !== 0) return false;
      next = b[h]!;
      h += 8;
    } else {
      return decodeTransport(p, b, next, h, ipEnd, end, stats);
    }
  }
  stats.otherTransport++;
  return false;
}

function decodeTransport(
  p: PacketInfo,
  b: Uint8Array,
  proto: number,
  l4: number,
  ipEnd: number,
  end: number,
  stats: CaptureStats,
): boolean {
  p.proto = proto;
  if (proto === PROTO_TCP) {
    if (l4 + 20 > end) return truncated(stats);
    const hdr = (b[l4 + 12]! >> 4) * 4;
    if (hdr < 20) return truncated(stats);
    p.sport = (b[l4]! << 8) | b[l4 + 1]!;
    p.dport = (b[l4 + 2]! << 8) | b[l4 + 3]!;
    p.seq = read32(b, l4 + 4);
    p.ack = read32(b, l4 + 8);
    p.tcpFlags = b[l4 + 13]!;
    const po = l4 + hdr;
    const plen = ipEnd - po;
    p.payloadOff = po;
    p.payloadLen = Math.max(plen, 0);
    const cap = end - po;
    p.payloadCapLen = cap <= 0 ? 0 : Math.min(cap, p.payloadLen);
    return true;
  }
  if (proto === PROTO_UDP) {
    if (l4 + 8 > end) return truncated(stats);
    p.sport = (b[l4]! << 8) | b[l4 + 1]!;
    p.dport = (b[l4 + 2]! << 8) | b[l4 + 3]!;
    const ulen = (b[l4 + 4]! << 8) | b[l4 + 5]!;
    // The UDP length covers the whole datagram even when the IP layer fragmented it.
    const plen = ulen >= 8 ? ulen - 8 : ipEnd - l4 - 8;
    p.tcpFlags = 0;
    p.payloadOff = l4 + 8;
    p.payloadLen = Math.max(plen, 0);
    const cap = end - p.payloadOff;
    p.payloadCapLen = cap <= 0 ? 0 : Math.min(cap, p.payloadLen);
    return true;
  }
  stats.otherTransport++;
  return false;
}
