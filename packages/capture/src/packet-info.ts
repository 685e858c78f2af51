/**
 * One reusable scratch record describing the packet being processed. The decoder fills it in place so the
 * hot path allocates nothing per packet; consumers must copy what they want to keep.
 */
export class PacketInfo {
  buf: Uint8Array = new Uint8Array(0);
  tsMs = 0;
  ipVersion = 0;
  /** Addresses as four 32-bit words; IPv4 is stored as the IPv4-mapped IPv6 form (::ffff:a.b.c.d). */
  s0 = 0;
  s1 = 0;
  s2 = 0;
  s3 = 0;
  d0 = 0;
  d1 = 0;
  d2 = 0;
  d3 = 0;
  proto = 0;
  sport = 0;
  dport = 0;
  tcpFlags = 0;
  seq = 0;
  ack = 0;
  /** Offset of the transport payload in `buf`. */
  payloadOff = 0;
  /** Transport payload length according to the headers (what the sender sent). */
  payloadLen = 0;
  /** Payload bytes actually present in the capture (snaplen may cut them). */
  payloadCapLen = 0;
}

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_ACK = 0x10;

export const PROTO_TCP = 6;
export const PROTO_UDP = 17;

/** Counters for everything the engine saw but did not turn into a flow, so nothing disappears silently. */
export interface CaptureStats {
  packets: number;
  bytes: number;
  nonIp: number;
  unsupportedLinkType: number;
  truncated: number;
  ipFragments: number;
  otherTransport: number;
  udpNonQuic: number;
  flowsCreated: number;
  flowsEmitted: number;
  flowEvictions: number;
  handshakeBufferEvictions: number;
  handshakesParsed: number;
  quicDecryptFailures: number;
  truncatedTail: boolean;
}

export function createStats(): CaptureStats {
  return {
    packets: 0,
    bytes: 0,
    nonIp: 0,
    unsupportedLinkType: 0,
    truncated: 0,
    ipFragments: 0,
    otherTransport: 0,
    udpNonQuic: 0,
    flowsCreated: 0,
    flowsEmitted: 0,
    flowEvictions: 0,
    handshakeBufferEvictions: 0,
    handshakesParsed: 0,
    quicDecryptFailures: 0,
    truncatedTail: false,
  };
}
