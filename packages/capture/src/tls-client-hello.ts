/** What a ClientHello reveals about a connection (metadata only, never content). */
export interface ClientHelloInfo {
  /** First host_name of the server_name extension, lower-cased; the outer SNI when ECH is used. */
  sni: string | null;
  alpn: string[];
  /** supported_versions when present (GREASE removed), else the legacy_version. */
  tlsVersions: number[];
  /** An encrypted_client_hello extension is present (real ECH or GREASE ECH: the SNI may be a public name). */
  ech: boolean;
  /** False when parsed from a prefix because the rest never arrived. */
  complete: boolean;
}

const EXT_SERVER_NAME = 0;
const EXT_ALPN = 16;
const EXT_SUPPORTED_VERSIONS = 43;
const EXT_ECH = 0xfe0d;
const MAX_LIST_ITEMS = 64;

function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && v >> 8 === (v & 0xff);
}

/** Hostnames are printable ASCII; anything else is dropped instead of being passed to consumers. */
function readHostname(b: Uint8Array, start: number, end: number): string | null {
  if (end <= start || end - start > 255) return null;
  let s = '';
  for (let i = start; i < end; i++) {
    let c = b[i]!;
    if (c < 0x21 || c > 0x7e) return null;
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    s += String.fromCharCode(c);
  }
  return s.endsWith('.') ? s.slice(0, -1) || null : s;
}

function readPrintable(b: Uint8Array, start: number, end: number): string | null {
  let s = '';
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if (c < 0x20 || c > 0x7e) return null;
    s += String.fromCharCode(c);
  }
  return s;
}

/**
 * Parses a ClientHello handshake message starting at `start` (its type byte) up to `end`. With
 * `partial`, a message cut short still yields whatever extensions lie entirely inside the bytes given
 * (the SNI usually does). Returns null when this is not a ClientHello. Never throws.
 */
export function parseClientHello(
  b: Uint8Array,
  start: number,
  end: number,
  partial = false,
): ClientHelloInfo | null {
  if (end > b.length) end = b.length;
  if (start + 4 > end || b[start] !== 1) return null;
  const declared = (b[start + 1]! << 16) | (b[start + 2]! << 8) | b[start + 3]!;
  const msgEnd = start + 4 + declared;
  const complete = msgEnd <= end;
  if (!complete && !partial) return null;
  const limit = complete ? msgEnd : end;
  const info: ClientHelloInfo = { sni: null, alpn: [], tlsVersions: [], ech: false, complete };
  let o = start + 4;
  if (o + 2 + 32 + 1 > limit) return partial ? info : null;
  const legacyVersion = (b[o]! << 8) | b[o + 1]!;
  if (b[o] !== 3) return null;
  o += 34;
  o += 1 + b[o]!; // session id
  if (o + 2 > limit) return info;
  o += 2 + ((b[o]! << 8) | b[o + 1]!); // cipher suites
  if (o + 1 > limit) return info;
  o += 1 + b[o]!; // compression methods
  if (o + 2 > limit) {
    if (complete) info.tlsVersions.push(legacyVersion);
    return info;
  }
  const extEnd = Math.min(o + 2 + ((b[o]! << 8) | b[o + 1]!), limit);
  o += 2;
  while (o + 4 <= extEnd) {
    const type = (b[o]! << 8) | b[o + 1]!;
    const len = (b[o + 2]! << 8) | b[o + 3]!;
    const body = o + 4;
    const bodyEnd = body + len;
    if (bodyEnd > extEnd) break; // cut short (partial) or malformed: keep what we have
    if (type === EXT_SERVER_NAME) readServerName(b, body, bodyEnd, info);
    else if (type === EXT_ALPN) readAlpn(b, body, bodyEnd, info);
    else if (type === EXT_SUPPORTED_VERSIONS) readVersions(b, body, bodyEnd, info);
    else if (type === EXT_ECH) info.ech = true;
    o = bodyEnd;
  }
  if (info.tlsVersions.length === 0) info.tlsVersions.push(legacyVersion);
  return info;
}

function readServerName(b: Uint8Array, o: number, end: number, info: ClientHelloInfo): void {
  if (info.sni !== null || o + 2 > end) return;
  const listEnd = Math.min(o + 2 + ((b[o]! << 8) | b[o + 1]!), end);
  o += 2;
  while (o + 3 <= listEnd) {
    const nameType = b[o]!;
    const nameLen = (b[o + 1]! << 8) | b[o + 2]!;
    const nameEnd = o + 3 + nameLen;
    if (nameEnd > listEnd) return;
    if (nameType === 0) {
      info.sni = readHostname(b, o + 3, nameEnd);
      return;
    }
    o = nameEnd;
  }
}

function readAlpn(b: Uint8Array, o: number, end: number, info: ClientHelloInfo): void {
  if (o + 2 > end) return;
  const listEnd = Math.min(o + 2 + ((b[o]! << 8) | b[o + 1]!), end);
  o += 2;
  while (o < listEnd && info.alpn.length < MAX_LIST_ITEMS) {
    const l = b[o]!;
    if (o + 1 + l > listEnd) return;
    const proto = readPrintable(b, o + 1, o + 1 + l);
    if (proto !== null) info.alpn.push(proto);
    o += 1 + l;
  }
}

function readVersions(b: Uint8Array, o: number, end: number, info: ClientHelloInfo): void {
  if (o >= end) return;
  const listEnd = Math.min(o + 1 + b[o]!, end);
  o += 1;
  for (; o + 2 <= listEnd && info.tlsVersions.length < MAX_LIST_ITEMS; o += 2) {
    const v = (b[o]! << 8) | b[o + 1]!;
    if (!isGrease(v)) info.tlsVersions.push(v);
  }
}

export enum HandshakeStatus {
  NeedMore = 0,
  Done = 1,
  NotTls = 2,
  TooLarge = 3,
}

/** Scratch buffer where handshake bytes from several TLS records are joined; reused across flows. */
let joined = new Uint8Array(16384);

/** Result holder for `extractClientHello`, reused to avoid allocating per call. */
export interface ExtractResult {
  status: HandshakeStatus;
  info: ClientHelloInfo | null;
}

/**
 * Looks for a complete ClientHello in the first `len` contiguous bytes of a client's TCP stream, joining
 * handshake fragments across TLS records (a post-quantum ClientHello may be split at the record layer as
 * well as at the TCP layer). `maxBytes` bounds the message size.
 */
export function extractClientHello(
  stream: Uint8Array,
  len: number,
  maxBytes: number,
  out: ExtractResult,
  partial = false,
): void {
  out.info = null;
  let o = 0;
  let have = 0;
  let need = -1;
  while (o + 5 <= len) {
    const recType = stream[o]!;
    const recLen = (stream[o + 3]! << 8) | stream[o + 4]!;
    if (recType !== 0x16 || stream[o + 1] !== 3 || recLen === 0 || recLen > 18432) {
      out.status = HandshakeStatus.NotTls;
      return;
    }
    const avail = Math.min(recLen, len - o - 5);
    if (have + avail > joined.length) {
      if (have + avail > maxBytes) {
        out.status = HandshakeStatus.TooLarge;
        return;
      }
      const grown = new Uint8Array(Math.min(maxBytes, Math.max(joined.length * 2, have + avail)));
      grown.set(joined.subarray(0, have));
      joined = grown;
    }
    joined.set(stream.subarray(o + 5, o + 5 + avail), have);
    have += avail;
    if (need < 0 && have >= 4) {
      if (joined[0] !== 1) {
        out.status = HandshakeStatus.NotTls;
        return;
      }
      need = 4 + ((joined[1]! << 16) | (joined[2]! << 8) | joined[3]!);
      if (need > maxBytes) {
        out.status = HandshakeStatus.TooLarge;
        if (partial) out.info = parseClientHello(joined, 0, have, true);
        return;
      }
    }
    if (need >= 0 && have >= need) {
      out.info = parseClientHello(joined, 0, need);
      out.status = out.info ? HandshakeStatus.Done : HandshakeStatus.NotTls;
      return;
    }
    if (avail < recLen) break;
    o += 5 + recLen;
  }
  if (len > 0 && stream[0] !== 0x16) {
    out.status = HandshakeStatus.NotTls;
    return;
  }
  out.status = HandshakeStatus.NeedMore;
  if (partial && have >= 4) out.info = parseClientHello(joined, 0, have, true);
}
