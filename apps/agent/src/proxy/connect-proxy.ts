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
}

const MAX_HELLO_BYTES = 32 * 1024;

/**
 * An observation-only HTTP CONNECT proxy for machines where packet capture is not possible. It
 * reads the tunnelled ClientHello for the SNI (falling back to the CONNECT host), counts bytes
 * both ways, and never decrypts or blocks: every tunnel is forwarded as is.
 */
export async function startConnectProxy(options: ConnectProxyOptions) {
  const owners = new SocketOwners();
  const counters = { tunnels: 0, failed: 0 };
  const server = http.createServer((_req, res) => {
    res
      .writeHead(405, { 'content-type': 'text/plain' })
      .end('toktra agent proxy: only CONNECT is supported\n');
  });

  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const target = /^\[?([^\]]+?)\]?:(\d+)$/.exec(req.url ?? '');
    if (!target) {
      client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const [, host, port] = target as unknown as [string, string, string];
    const startedAt = Date.now();
    // The client's socket, seen from the kernel, is local=client side, remote=our listener.
    const owner = owners.lookup({
      transport: 'tcp',
      srcIp: client.remoteAddress ?? '',
      srcPort: client.remotePort ?? 0,
      dstIp: client.localAddress ?? '',
      dstPort: client.localPort ?? 0,
    });
    const upstream = net.connect(Number(port), host);
    let bytesUp = 0;
    let bytesDown = 0;
    let hello = Buffer.alloc(0);
    let sni: string | null | undefined;
    const result: ExtractResult = { status: HandshakeStatus.NeedMore, info: null };

    const observeUp = (chunk: Buffer) => {
      bytesUp += chunk.length;
      if (sni !== undefined) return;
      hello = Buffer.concat([hello, chunk]);
      extractClientHello(hello, hello.length, MAX_HELLO_BYTES, result);
      if (result.status !== HandshakeStatus.NeedMore || hello.length >= MAX_HELLO_BYTES) {
        sni = result.info?.sni ?? null;
        hello = Buffer.alloc(0); // handshake bytes are not kept once the SNI is known
      }
    };

    upstream.once('connect', () => {
      counters.tunnels += 1;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) {
        observeUp(head);
        upstream.write(head);
      }
      client.on('data', observeUp);
      upstream.on('data', (chunk: Buffer) => {
        bytesDown += chunk.length;
      });
      client.pipe(upstream);
      upstream.pipe(client);
    });
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      client.destroy();
      upstream.destroy();
      if (options.isPaused() || bytesUp + bytesDown === 0) return;
      options.onConnection({
        sni: sni ?? host.toLowerCase(),
        transport: 'tcp',
        startedAt,
        endedAt: Date.now(),
        bytesUp,
        bytesDown,
        owner,
      });
    };
    upstream.once('error', () => {
      if (bytesUp + bytesDown === 0) {
        counters.failed += 1;
        client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      }
      finish();
    });
    upstream.once('close', finish);
    client.once('error', finish);
    client.once('close', finish);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const address = server.address() as net.AddressInfo;
  return {
    port: address.port,
    stats: () => ({ ...counters }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
