/** One socket from /proc/net/{tcp,tcp6,udp,udp6}. */
export interface ProcSocket {
  localIp: string;
  localPort: number;
  remoteIp: string;
  remotePort: number;
  uid: number;
  inode: number;
}

/**
 * Decodes a kernel hex address: IPv4 is one little-endian 32-bit word, IPv6 four of them.
 * `0100007F:1F90` → 127.0.0.1 port 8080.
 */
export function decodeProcAddress(value: string): { ip: string; port: number } | undefined {
  const [hex, portHex] = value.split(':');
  if (!hex || !portHex) return undefined;
  const port = Number.parseInt(portHex, 16);
  if (hex.length === 8) {
    const n = Number.parseInt(hex, 16);
    return { ip: `${n & 0xff}.${(n >>> 8) & 0xff}.${(n >>> 16) & 0xff}.${n >>> 24}`, port };
  }
  if (hex.length !== 32) return undefined;
  const bytes: number[] = [];
  for (let word = 0; word < 4; word++) {
    const chunk = hex.slice(word * 8, word * 8 + 8);
    for (let b = 3; b >= 0; b--) bytes.push(Number.parseInt(chunk.slice(b * 2, b * 2 + 2), 16));
  }
  return { ip: formatIpv6(bytes), port };
}

function formatIpv6(bytes: number[]): string {
  const isV4Mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (isV4Mapped) return bytes.slice(12).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  // Compress the longest run of zero groups, as the capture engine's formatter does.
  let best = { start: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.len && j - i > 1) best = { start: i, len: j - i };
    i = j;
  }
  if (best.start === -1) return groups.join(':');
  return `${groups.slice(0, best.start).join(':')}::${groups.slice(best.start + best.len).join(':')}`;
}

/**
 * Parses the text of a /proc/net/{tcp,udp}[6] file; malformed lines are skipped. With
 * `remotePorts`, only sockets to those ports (or unconnected ones) are parsed: a cheap text test
 * first, so polling stays cheap on a machine with thousands of sockets.
 */
export function parseProcNet(text: string, remotePorts?: readonly number[]): ProcSocket[] {
  const sockets: ProcSocket[] = [];
  const lines = text.split('\n');
  const wanted = remotePorts?.map((p) => `:${p.toString(16).toUpperCase().padStart(4, '0')} `);
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (wanted && !wanted.some((w) => line.includes(w)) && !line.includes(':0000 ')) continue;
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10) continue;
    const local = decodeProcAddress(fields[1]!);
    const remote = decodeProcAddress(fields[2]!);
    const uid = Number(fields[7]);
    const inode = Number(fields[9]);
    if (!local || !remote || !Number.isInteger(uid)) continue;
    sockets.push({
      localIp: local.ip,
      localPort: local.port,
      remoteIp: remote.ip,
      remotePort: remote.port,
      uid,
      inode,
    });
  }
  return sockets;
}
