import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';

export class CaptureUnavailableError extends Error {
  override readonly name = 'CaptureUnavailableError';
}

export interface TcpdumpOptions {
  interface: string;
  ports: number[];
  /** Bytes kept per packet: enough for any ClientHello segment; counts use the IP lengths. */
  snaplen?: number;
  /** Kernel capture buffer in KiB (tcpdump -B). */
  bufferKiB?: number;
  bin?: string;
}

/**
 * The BPF filter: the given ports over TCP and UDP (QUIC). Of the server's IPv4 TCP segments only
 * SYN/FIN/RST are kept: the engine needs the client's side for the ClientHello and the upload, and
 * the client's cumulative ACKs tell it how far the download has arrived (`countDownFromAcks`), so
 * the bulk of the traffic — the answers — never leaves the kernel. (libpcap's tcp[] offsets are
 * IPv4-only, so IPv6 TCP is kept whole.)
 */
export function captureFilter(ports: readonly number[]): string {
  const control = 'tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0';
  return ports
    .map(
      (p) =>
        `(ip and tcp dst port ${p}) or (ip and tcp src port ${p} and ${control}) or (ip6 and tcp port ${p}) or udp port ${p}`,
    )
    .join(' or ');
}

/**
 * Streams `tcpdump -U -w -` (packet-buffered pcap on stdout). Resolves once tcpdump is capturing;
 * rejects with a plain explanation when it is missing or lacks privileges.
 */
export async function startTcpdump(
  options: TcpdumpOptions,
): Promise<ChildProcessByStdio<null, Readable, Readable>> {
  const args = [
    '-U',
    '-n',
    '-w',
    '-',
    '-s',
    String(options.snaplen ?? 4096),
    // An 8 MiB kernel ring (default 2 MiB) absorbs bursts while the agent is busy: a dropped
    // handshake is a lost event (no SNI), so drops matter more here than in a debugging capture.
    '-B',
    String(options.bufferKiB ?? 8192),
    // Deliver each packet at once rather than in blocks every second: a handshake must reach the
    // agent while its socket still exists, so that the owner can be read from /proc/net/tcp.
    '--immediate-mode',
    '-i',
    options.interface,
    captureFilter(options.ports),
  ];
  const child = spawn(options.bin ?? 'tcpdump', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      stderr += d.toString();
      if (/listening on/i.test(stderr)) done();
    };
    const fail = (message: string) => {
      cleanup();
      reject(new CaptureUnavailableError(message));
    };
    const done = () => {
      cleanup();
      resolve();
    };
    const onError = (error: NodeJS.ErrnoException) =>
      fail(
        error.code === 'ENOENT'
          ? 'tcpdump is not installed. Install it (e.g. `apt-get install tcpdump`), or run the agent with --proxy HOST:PORT'
          : `cannot start tcpdump: ${error.message}`,
      );
    const onExit = () =>
      fail(
        /permission|operation not permitted|not permitted/i.test(stderr)
          ? 'the agent lacks packet-capture privileges: run it as root, or grant tcpdump CAP_NET_RAW and CAP_NET_ADMIN ' +
              '(setcap cap_net_raw,cap_net_admin=eip "$(command -v tcpdump)"), or use --proxy HOST:PORT'
          : `tcpdump exited: ${stderr.trim() || 'no output'}`,
      );
    const cleanup = () => {
      child.stderr.off('data', onData);
      child.off('error', onError);
      child.off('exit', onExit);
    };
    child.stderr.on('data', onData);
    child.once('error', onError);
    child.once('exit', onExit);
  });
  return child;
}
