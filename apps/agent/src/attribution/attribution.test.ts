import net from 'node:net';
import { userInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { decodeProcAddress, parseProcNet } from './proc-net.js';
import { SocketOwners } from './socket-owners.js';

describe('/proc/net parsing', () => {
  it('decodes IPv4 and IPv6 kernel addresses', () => {
    expect(decodeProcAddress('0100007F:1F90')).toEqual({ ip: '127.0.0.1', port: 8080 });
    expect(decodeProcAddress('00000000000000000000000001000000:01BB')).toEqual({ ip: '::1', port: 443 });
    expect(decodeProcAddress('0000000000000000FFFF00000100007F:0050')).toEqual({ ip: '127.0.0.1', port: 80 });
    expect(decodeProcAddress('B80D0120000000000000000001000000:01BB')).toEqual({
      ip: '2001:db8::1',
      port: 443,
    });
    expect(decodeProcAddress('nonsense')).toBeUndefined();
  });

  it('parses socket lines with their owner uid and skips junk', () => {
    const text = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:D431 0100007F:01BB 01 00000000:00000000 00:00000000 00000000  1000        0 51234 1 0 20 4 30 10 -1',
      'garbage',
    ].join('\n');
    expect(parseProcNet(text)).toEqual([
      {
        localIp: '127.0.0.1',
        localPort: 0xd431,
        remoteIp: '127.0.0.1',
        remotePort: 443,
        uid: 1000,
        inode: 51234,
      },
    ]);
  });
});

describe('SocketOwners on this machine', () => {
  it('attributes a live TCP connection to the user that opened it, and remembers it after close', async () => {
    const server = net.createServer((s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const client = net.connect(port, '127.0.0.1');
    await new Promise<void>((r) => client.once('connect', r));
    const flow = {
      transport: 'tcp' as const,
      srcIp: '127.0.0.1',
      srcPort: client.localPort!,
      dstIp: '127.0.0.1',
      dstPort: port,
    };
    const owners = new SocketOwners();
    expect(owners.lookup(flow)).toEqual({ uid: userInfo().uid, user: userInfo().username });
    client.destroy();
    server.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(owners.lookup(flow)?.user).toBe(userInfo().username);
    expect(owners.lookup({ ...flow, srcPort: 1 })).toBeUndefined();
  });
});
