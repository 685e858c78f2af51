/**
 * Real traffic: curl, openssl and headless Chromium (TCP with its post-quantum ClientHello split over
 * segments, and QUIC) talk to a local TLS server under AI hostnames inside a network namespace with
 * loopback MTU 1500 and offloads off; tcpdump captures it; the engine must agree with tshark.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCaptureFile } from './capture-source.js';
import type { FlowRecord } from './flow.js';
import * as lab from './testing/loopback-lab.js';
import { convertPcap, parsePcap, writePcap } from './testing/pcap-tools.js';

const PORT = 443;
let dir = '';
let eth = '';
let sll2 = '';
let flows: FlowRecord[] = [];

async function tshark(file: string, filter: string, fields: string[]): Promise<string[][]> {
  const args = ['-r', file, '-Y', filter, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])];
  const { stdout } = await lab.execFileAsync('tshark', args, { maxBuffer: 64 << 20 });
  return stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.split('\t'));
}

function summary(list: FlowRecord[]) {
  return list
    .map((f) => `${f.transport} ${f.sni} ${f.srcIp}:${f.srcPort} up=${f.bytesUp} down=${f.bytesDown}`)
    .sort();
}

beforeAll(async () => {
  lab.requireTools('tcpdump', 'tshark', 'editcap', 'chromium', 'openssl', 'curl', 'ip', 'ethtool');
  dir = lab.makeTempDir('toktra-real-');
  eth = join(dir, 'lo.pcap');
  sll2 = join(dir, 'any.pcap');
  const ns = lab.createNetns(`toktra-cap-${process.pid}`);
  try {
    const names = ['api.openai.com', 'api.anthropic.com', 'api.mistral.ai', 'chatgpt.com'];
    const { cert, key } = lab.makeCertificate(dir, names);
    const server = await lab.startTlsServer({
      port: PORT,
      cert,
      key,
      hosts: ['127.0.0.1', '::1'],
      netns: ns.name,
    });
    const filter = `port ${PORT}`;
    const c1 = await lab.startTcpdump({ file: eth, iface: 'lo', filter, netns: ns.name });
    const extra = ['--time-stamp-precision=nano'];
    const c2 = await lab.startTcpdump({ file: sll2, iface: 'any', filter, netns: ns.name, extra });
    await lab.runCurl(`https://api.openai.com/?size=300000`, `api.openai.com:${PORT}:127.0.0.1`, ns.name);
    await lab.runCurl(`https://api.anthropic.com/?size=7000`, `api.anthropic.com:${PORT}:::1`, ns.name);
    await lab.runOpenssl(`127.0.0.1:${PORT}`, 'api.mistral.ai', ns.name);
    await lab.runChromium({
      url: 'https://api.openai.com/?size=40000',
      map: 'MAP api.openai.com 127.0.0.1',
      netns: ns.name,
    });
    await lab.runChromium({
      url: 'https://chatgpt.com/',
      map: 'MAP chatgpt.com 127.0.0.1',
      quic: `chatgpt.com:${PORT}`,
      netns: ns.name,
      timeoutMs: 4000,
    });
    await c1.stop();
    await c2.stop();
    await server.stop();
  } finally {
    ns.remove();
  }
  flows = await readCaptureFile(eth);
}, 120_000);

afterAll(() => {
  if (dir) console.log(`real captures kept in ${dir}`);
});

describe('real loopback captures', () => {
  it('finds every SNI: curl (IPv4, IPv6), openssl, Chromium TCP and QUIC', () => {
    const tcp = (sni: string) => flows.filter((f) => f.transport === 'tcp' && f.sni === sni);
    expect(tcp('api.openai.com').length).toBeGreaterThanOrEqual(2); // curl + Chromium
    expect(tcp('api.anthropic.com')[0]?.srcIp).toBe('::1');
    expect(tcp('api.mistral.ai')).toHaveLength(1);
    const quic = flows.filter((f) => f.transport === 'quic');
    expect(quic.map((f) => f.sni)).toContain('chatgpt.com');
    expect(quic[0]?.quicVersion).toBe(1);
    expect(flows.filter((f) => f.sni === null)).toEqual([]);
  });

  it('agrees with tshark on every ClientHello', async () => {
    const rows = await tshark(eth, 'tls.handshake.type == 1', [
      'tcp.srcport',
      'udp.srcport',
      'tls.handshake.extensions_server_name',
    ]);
    const theirs = rows.map(([tp, up, sni]) => `${tp || up} ${sni}`).sort();
    const ours = flows.map((f) => `${f.srcPort} ${f.sni}`).sort();
    expect(ours).toEqual([...new Set(theirs)]);
  });

  it("counts TCP payload bytes exactly like tshark's per-stream tcp.len sums (retransmissions excluded)", async () => {
    const rows = await tshark(
      eth,
      'tcp && !tcp.analysis.retransmission && !tcp.analysis.fast_retransmission && !tcp.analysis.spurious_retransmission',
      ['tcp.srcport', 'tcp.dstport', 'tcp.len'],
    );
    const sums = new Map<number, { up: number; down: number; pkts: number }>();
    for (const [sp, dp, len] of rows) {
      const up = Number(dp) === PORT;
      const client = up ? Number(sp) : Number(dp);
      const s = sums.get(client) ?? { up: 0, down: 0, pkts: 0 };
      if (up) s.up += Number(len);
      else s.down += Number(len);
      s.pkts++;
      sums.set(client, s);
    }
    const tcp = flows.filter((f) => f.transport === 'tcp');
    expect(tcp.length).toBe(sums.size);
    for (const f of tcp) {
      expect({ port: f.srcPort, up: f.bytesUp, down: f.bytesDown }).toEqual({
        port: f.srcPort,
        up: sums.get(f.srcPort)?.up,
        down: sums.get(f.srcPort)?.down,
      });
    }
    expect(tcp.find((f) => f.bytesDown >= 300_000)).toBeDefined();
  });

  it('counts QUIC UDP payload bytes like tshark', async () => {
    const rows = await tshark(eth, 'udp', ['udp.srcport', 'udp.dstport', 'udp.length']);
    const quic = flows.filter((f) => f.transport === 'quic');
    for (const f of quic) {
      const up = rows.filter(([sp]) => Number(sp) === f.srcPort).reduce((a, [, , l]) => a + Number(l) - 8, 0);
      const down = rows
        .filter(([, dp]) => Number(dp) === f.srcPort)
        .reduce((a, [, , l]) => a + Number(l) - 8, 0);
      expect([f.bytesUp, f.bytesDown]).toEqual([up, down]);
    }
  });

  it("splits Chromium's post-quantum ClientHello over TCP segments and its QUIC ClientHello over Initials", async () => {
    const tcpHellos = await tshark(eth, 'tls.handshake.type == 1 && tcp', [
      'tcp.segment.count',
      'tls.handshake.length',
    ]);
    expect(tcpHellos.some(([segs, len]) => Number(segs) >= 2 && Number(len) > 1448)).toBe(true);
    const quicCrypto = await tshark(eth, 'quic.frame_type == 6 && udp.dstport == 443', ['frame.number']);
    expect(quicCrypto.length).toBeGreaterThanOrEqual(2);
  });

  it('still finds the SNI when the two ClientHello segments are swapped', async () => {
    const hellos = await tshark(eth, 'tls.handshake.type == 1 && tcp.segment.count >= 2', [
      'tcp.segment',
      'tcp.srcport',
    ]);
    const [segments, port] = hellos[0]!;
    const [a, b] = segments!.split(',').map((n) => Number(n) - 1);
    const file = parsePcap(readFileSync(eth));
    const recs = file.records;
    [recs[a!], recs[b!]] = [recs[b!]!, recs[a!]!];
    const swapped = join(dir, 'swapped.pcap');
    writeFileSync(swapped, writePcap(file));
    const got = (await readCaptureFile(swapped)).find((f) => f.srcPort === Number(port));
    expect(got?.sni).toBe('api.openai.com');
    expect(summary(await readCaptureFile(swapped))).toEqual(summary(flows));
  });

  it('reads the same connections from SLL2 (tcpdump -i any, nanosecond pcap)', async () => {
    const raw = readFileSync(sll2);
    expect(raw.readUInt32LE(0)).toBe(0xa1b23c4d);
    expect(raw.readUInt32LE(20)).toBe(276);
    const any = await readCaptureFile(sll2);
    // On this kernel `-i any` (run beside the `-i lo` capture) loses a few loopback packets; tshark marks
    // those streams. Every connection must be there; byte counts must match wherever nothing was lost.
    expect(any.map((f) => f.srcPort).sort()).toEqual(flows.map((f) => f.srcPort).sort());
    const lossy = await tshark(sll2, 'tcp.analysis.lost_segment || tcp.analysis.ack_lost_segment', [
      'tcp.srcport',
      'tcp.dstport',
    ]);
    const lossyPorts = new Set(lossy.flatMap(([a, b]) => [Number(a), Number(b)]));
    const bytesOnly = (l: FlowRecord[]) =>
      l
        .filter((f) => !lossyPorts.has(f.srcPort))
        .map((f) => `${f.srcPort} ${f.bytesUp} ${f.bytesDown}`)
        .sort();
    expect(bytesOnly(any)).toEqual(bytesOnly(flows));
    expect(bytesOnly(any).length).toBeGreaterThanOrEqual(2);
    // The same SNIs as tshark finds in this file (a lost ClientHello segment hides it from both).
    const rows = await tshark(sll2, 'tls.handshake.type == 1', [
      'tcp.srcport',
      'udp.srcport',
      'tls.handshake.extensions_server_name',
    ]);
    const theirs = [...new Set(rows.map(([tp, up, sni]) => `${tp || up} ${sni}`))].sort();
    expect(
      any
        .filter((f) => f.sni !== null)
        .map((f) => `${f.srcPort} ${f.sni}`)
        .sort(),
    ).toEqual(theirs);
    expect(theirs.length).toBeGreaterThanOrEqual(3);
  });

  it('reads the same connections after conversion to pcapng and to big-endian pcap', async () => {
    const ng = join(dir, 'lo.pcapng');
    await lab.execFileAsync('editcap', ['-F', 'pcapng', eth, ng]);
    expect(readFileSync(ng).readUInt32LE(0)).toBe(0x0a0d0d0a);
    expect(summary(await readCaptureFile(ng))).toEqual(summary(flows));
    const be = join(dir, 'be.pcap');
    writeFileSync(be, convertPcap(readFileSync(eth), { le: false }));
    expect(summary(await readCaptureFile(be))).toEqual(summary(flows));
  });
});
