import http from 'node:http';
import net from 'node:net';
import { type ExtractResult, extractClientHello, HandshakeStatus } from '@toktra/capture';
import { type SocketOwner, SocketOwners } from '../attribution/socket-owners.js';

export interface ProxiedConnection {
  sni: string | null;
  transport: 'tcp';
  startedAt: number;
  endedAt: number;
  bytesUp: number;
  bytesDown: number;
  owner: SocketOwner | undefined;
}

export interface ConnectProxyOptions {
  host: string;
  port: number;
  onConnection: (connection: ProxiedConnection) => void;
  /** During Privacy Hours the proxy still forwards traffic but records nothing. */
  isPaused: () => boolean;
  /** How long to wait for the upstream TCP handshake before answering 504. */
  connectTimeoutMs?: number;
}

const MAX_HELLO_BYTES = 32 * 1024;

/** Reads the SNI from the first bytes a client sends through a tunnel; keeps nothing after. */
class HelloObserver {
  sni: string | null | undefined;
  private hello = Buffer.alloc(0);
  private readonly result: ExtractResult = { status: HandshakeStatus.NeedMore, info: null };

  observe(chunk: Buffer): void {
    if (this.sni !== undefined) return;
    this.hello = Buffer.concat([this.hello, chunk]);
    extractClientHello(this.hello, this.hello.length, MAX_HELLO_BYTES, this.result);
    if (this.result.status !== HandshakeStatus.NeedMore || this.hello.length >= MAX_HELLO_BYTES) {
      this.sni = this.result.info?.sni ?? null;
      this.hello = Buffer.alloc(0); // handshake bytes are not kept once the SNI is known
    }
  }
}

/**
 * An observation-only HTTP CONNECT proxy for machines where packet capture is not possible. It
 * reads the tunnelled ClientHello for the SNI (falling back to the CONNECT host), counts bytes
 * both ways (TLS records as they cross the tunnel — the same bytes as the upstream TCP payload),
 * and never decrypts or blocks: every tunnel is forwarded as is.
 */
export async function startConnectProxy(options: ConnectProxyOptions) {
  const owners = new SocketOwners();
  const counters = { tunnels: 0, active: 0, failed: 0 };
  /** Open tunnels, so that shutdown reports them instead of losing them. */
  const open = new Set<() => void>();
  const server = http.createServer((_req, res) => {
    res
      .writeHead(405, { 'content-type': 'text/plain', allow: 'CONNECT' })
      .end('toktra agent proxy: only CONNECT is supported\n');
  });

  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const target = /^\[?([^\]]+?)\]?:(\d+)$/.exec(req.url ?? '');
    const port = Number(target?.[2]);
    if (!target || !Number.isInteger(port) || port < 1 || port > 65535) {
      client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const host = target[1]!;
    const startedAt = Date.now();
    // A tunnel opened during Privacy Hours is forwarded but never looked at.
    const observed = !options.isPaused();
    // The client's socket, seen from the kernel, is local=client side, remote=our listener.
    const owner = observed
      ? owners.lookup({
          transport: 'tcp',
          srcIp: client.remoteAddress ?? '',
          srcPort: client.remotePort ?? 0,
          dstIp: client.localAddress ?? '',
          dstPort: client.localPort ?? 0,
        })
      : undefined;
    const upstream = net.connect({ port, host, allowHalfOpen: true });
    upstream.setTimeout(options.connectTimeoutMs ?? 30_000, () =>
      upstream.destroy(new Error('upstream connect timeout')),
    );
    const hello = new HelloObserver();
    let bytesUp = 0;
    let bytesDown = 0;
    let established = false;
    let finished = false;

    const finish = () => {
      if (finished) return;
      finished = true;
      open.delete(finish);
      if (established) counters.active -= 1;
      client.destroy();
      upstream.destroy();
      if (!observed || options.isPaused() || bytesUp + bytesDown === 0) return;
      options.onConnection({
        sni: hello.sni ?? host.toLowerCase(),
        transport: 'tcp',
        startedAt,
        endedAt: Date.now(),
        bytesUp,
        bytesDown,
        owner,
      });
    };
    open.add(finish);

    const countUp = (chunk: Buffer) => {
      bytesUp += chunk.length;
      if (observed) hello.observe(chunk);
    };
    upstream.once('connect', () => {
      upstream.setTimeout(0);
      established = true;
      counters.tunnels += 1;
      counters.active += 1;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) {
        countUp(head);
        upstream.write(head);
      }
      client.on('data', countUp);
      upstream.on('data', (chunk: Buffer) => {
        bytesDown += chunk.length;
      });
      // pipe() half-closes each side when the other ends, so a response the server sends just
      // before closing still reaches the client; the tunnel is finished once both are closed.
      client.pipe(upstream);
      upstream.pipe(client);
    });
    let closed = 0;
    const onClose = () => {
      closed += 1;
      if (closed === 2 || !established) finish();
    };
    upstream.once('error', (error: NodeJS.ErrnoException) => {
      if (!established) {
        counters.failed += 1;
        const timedOut = error.message === 'upstream connect timeout';
        client.end(`HTTP/1.1 ${timedOut ? '504 Gateway Timeout' : '502 Bad Gateway'}\r\n\r\n`);
        open.delete(finish);
        finished = true;
        return;
      }
      finish();
    });
    client.once('error', finish);
    upstream.once('close', onClose);
    client.once('close', onClose);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const address = server.address() as net.AddressInfo;
  return {
    port: address.port,
    stats: () => ({ ...counters }),
    /** Stops listening and reports every open tunnel with the bytes it carried so far. */
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const finish of [...open]) finish();
        server.closeAllConnections();
      }),
  };
}
