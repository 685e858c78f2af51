/**
 * Can the kernel's per-socket counters (inet_diag, as `ss -tinpe` shows: bytes_acked /
 * bytes_received) replace per-packet byte counting once the handshake is seen?
 *
 * In a network namespace (loopback MTU 1500, offloads off) real TLS transfers of known sizes run
 * while `ss -tinHe` is polled every POLL_MS and tcpdump records the same traffic. Afterwards the
 * capture is replayed through the capture engine and every connection's bytes are compared with
 * the last counters a poll saw for its socket. Also measured: CPU per poll (ss is a child, so
 * its time lands in this process's cutime/cstime) vs CPU per packet in the capture engine.
 *
 *   node --import tsx bench/agent/socket-counters.ts [--loss 0.01]
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { openCaptureSource, readFlows } from '@toktra/capture';
import * as lab from '@toktra/capture/testing';

const POLL_MS = Number(process.env.POLL_MS ?? 100);
const loss = process.argv.includes('--loss') ? Number(process.argv[process.argv.indexOf('--loss') + 1]) : 0;
const TICK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

// Short: one request per connection (lives a few ms). Long: keep-alive, 40 requests 40 ms apart
// so each keep-alive connection lives ~2–4 s.
const CLIENT_SOURCE = `
const https = require('node:https');
const plan = JSON.parse(process.env.PLAN);
let pending = 0;
function conn(kind, size, requests, gapMs) {
  pending++;
  const agent = new https.Agent({ keepAlive: requests > 1, maxSockets: 1 });
  let n = 0; const ports = new Map();
  const one = () => {
    const req = https.get({ host: '127.0.0.1', port: 443, path: '/?size=' + size, servername: 'api.openai.com',
      rejectUnauthorized: false, agent }, (res) => {
        const port = res.socket.localPort; ports.set(port, (ports.get(port) || 0) + 1); res.resume();
        res.on('end', () => { if (++n < requests) setTimeout(one, gapMs); else { agent.destroy();
          for (const [port, count] of ports) console.log(JSON.stringify({ kind, port, size, requests: count }));
          if (--pending === 0) console.log('done'); } });
      });
    req.on('error', (e) => { console.error(e.message); if (--pending === 0) console.log('done'); });
  };
  one();
}
let t = 0;
for (const p of plan) for (let i = 0; i < p.count; i++) setTimeout(() => conn(p.kind, p.size, p.requests, p.gapMs), (t += p.spacingMs));
`;
// A server that keeps idle connections open (the lab's closes them after 100 ms).
const SERVER_SOURCE = `
const https = require('node:https'); const fs = require('node:fs');
const srv = https.createServer({ cert: fs.readFileSync(process.env.CERT), key: fs.readFileSync(process.env.KEY) },
  (req, res) => { const n = Number(new URL(req.url, 'https://x').searchParams.get('size') || 100);
    req.resume(); req.on('end', () => res.end(Buffer.alloc(n, 97))); });
srv.keepAliveTimeout = 10000;
srv.listen(443, '127.0.0.1', () => console.log('ready'));
`;

const PLAN = [
  { kind: 'short-20k', count: 150, size: 20_000, requests: 1, gapMs: 0, spacingMs: 20 },
  { kind: 'short-1m', count: 40, size: 1_000_000, requests: 1, gapMs: 0, spacingMs: 50 },
  { kind: 'long-keepalive', count: 12, size: 500_000, requests: 40, gapMs: 40, spacingMs: 100 },
];

interface Seen {
  acked: number;
  received: number;
  retrans: number;
  polls: number;
}

function procTimes(pid: number | 'self') {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // fields after "(comm) ": state=0 … utime=11 stime=12 cutime=13 cstime=14
  return { self: (Number(f[11]) + Number(f[12])) / TICK, children: (Number(f[13]) + Number(f[14])) / TICK };
}

function parseSs(text: string, seen: Map<number, Seen>): number {
  let sockets = 0;
  // -H: no header; each socket is a line with addresses, then an indented line with tcp_info.
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const addr = /\s(\S+):(\d+)\s+(\S+):443\s/.exec(` ${lines[i]} `);
    if (!addr) continue;
    sockets++;
    const info = lines[i + 1] ?? '';
    const port = Number(addr[2]);
    const acked = /bytes_acked:(\d+)/.exec(info);
    const received = /bytes_received:(\d+)/.exec(info);
    if (!acked && !received) continue; // TIME_WAIT and friends carry no tcp_info
    const prev = seen.get(port) ?? { acked: 0, received: 0, retrans: 0, polls: 0 };
    seen.set(port, {
      acked: Number(acked?.[1] ?? prev.acked),
      received: Number(received?.[1] ?? prev.received),
      retrans: Number(/bytes_retrans:(\d+)/.exec(info)?.[1] ?? prev.retrans),
      polls: prev.polls + 1,
    });
  }
  return sockets;
}

async function main() {
  lab.requireTools('tcpdump', 'openssl', 'ip', 'ethtool', 'ss');
  const dir = lab.makeTempDir('toktra-sockets-');
  const ns = lab.createNetns(`toktra-ss-${process.pid}`);
  try {
    if (loss > 0) {
      execFileSync('ip', [
        'netns',
        'exec',
        ns.name,
        'iptables',
        '-A',
        'OUTPUT',
        '-o',
        'lo',
        '-p',
        'tcp',
        '-m',
        'statistic',
        '--mode',
        'random',
        '--probability',
        String(loss),
        '-j',
        'DROP',
      ]);
    }
    const { cert, key } = lab.makeCertificate(dir, ['api.openai.com']);
    const server = spawn('ip', ['netns', 'exec', ns.name, process.execPath, '-e', SERVER_SOURCE], {
      env: { ...process.env, CERT: cert, KEY: key },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await once(server.stdout, 'data');
    const pcap = path.join(dir, 'traffic.pcap');
    const td = await lab.startTcpdump({ file: pcap, iface: 'lo', filter: 'tcp port 443', netns: ns.name });
    const client = spawn('ip', ['netns', 'exec', ns.name, process.execPath, '-e', CLIENT_SOURCE], {
      env: { ...process.env, PLAN: JSON.stringify(PLAN) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let clientOut = '';
    client.stdout.on('data', (d) => {
      clientOut += d;
    });
    const seen = new Map<number, Seen>();
    let polls = 0;
    let socketsPolled = 0;
    let parseMs = 0;
    const before = procTimes('self');
    const clientDone = once(client, 'exit');
    let finished = false;
    void clientDone.then(() => {
      finished = true;
    });
    while (!finished) {
      const out = spawnSync(
        'ip',
        ['netns', 'exec', ns.name, 'ss', '-tinHe', 'state', 'all', '( dport = :443 )'],
        {
          encoding: 'utf8',
        },
      ).stdout;
      const t0 = performance.now();
      socketsPolled += parseSs(out, seen);
      parseMs += performance.now() - t0;
      polls++;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    const after = procTimes('self');
    const dropped =
      loss > 0
        ? /^\s*(\d+)/m.exec(
            execFileSync('ip', ['netns', 'exec', ns.name, 'iptables', '-L', 'OUTPUT', '-v', '-n', '-x'], {
              encoding: 'utf8',
            }).split('\n')[2] ?? '',
          )?.[1]
        : '0';
    const tdTimes = procTimes(td.proc.pid!);
    await td.stop();
    server.kill();

    const conns = clientOut
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { kind: string; port: number; size: number; requests: number });
    const replayStart = process.cpuUsage();
    const flows = new Map<number, { up: number; down: number; packets: number }>();
    let packets = 0;
    for await (const f of readFlows(openCaptureSource(pcap))) {
      flows.set(f.srcPort, { up: f.bytesUp, down: f.bytesDown, packets: f.packetsUp + f.packetsDown });
      packets += f.packetsUp + f.packetsDown;
    }
    const replayCpu = process.cpuUsage(replayStart);

    const rows = new Map<
      string,
      {
        n: number;
        seen: number;
        exact: number;
        missedUp: number;
        missedDown: number;
        totalDown: number;
        retrans: number;
      }
    >();
    for (const c of conns) {
      // A keep-alive client that got a new socket (server idle timeout) counts by what it carried.
      c.kind =
        c.requests > 1
          ? `keep-alive (${c.kind})`
          : c.kind === 'long-keepalive'
            ? 'short (reconnect)'
            : c.kind;
      const row = rows.get(c.kind) ?? {
        n: 0,
        seen: 0,
        exact: 0,
        missedUp: 0,
        missedDown: 0,
        totalDown: 0,
        retrans: 0,
      };
      const flow = flows.get(c.port);
      const s = seen.get(c.port);
      row.n++;
      if (flow) row.totalDown += flow.down;
      if (s) row.seen++;
      if (s) row.retrans += s.retrans;
      if (flow && s && s.acked === flow.up && s.received === flow.down) row.exact++;
      if (flow) {
        row.missedUp += flow.up - (s?.acked ?? 0);
        row.missedDown += flow.down - (s?.received ?? 0);
      }
      rows.set(c.kind, row);
    }
    const pollCpu = after.children - before.children;
    console.log(
      `loss ${loss} (${dropped} segments dropped by iptables); ${conns.length} connections; ${polls} polls every ${POLL_MS} ms; ` +
        `${packets} packets (${(statSync(pcap).size / 1e6).toFixed(1)} MB pcap)\n`,
    );
    console.log(
      '| connections | n | seen by ≥1 poll | counters exact at last poll | bytes missed (up / down) | of all bytes down | bytes_retrans seen |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    for (const [kind, r] of rows)
      console.log(
        `| ${kind} | ${r.n} | ${r.seen} | ${r.exact} | ${r.missedUp.toLocaleString('en-US')} / ${r.missedDown.toLocaleString('en-US')} | ${((100 * r.missedDown) / Math.max(1, r.totalDown)).toFixed(1)} % | ${r.retrans} |`,
      );
    const perPollMs = (pollCpu * 1000) / polls;
    const enginePerPacketUs = (replayCpu.user + replayCpu.system) / packets;
    console.log('\n| cost | value |');
    console.log('|---|---:|');
    console.log(`| ss + ip netns exec, CPU per poll (children) | ${perPollMs.toFixed(2)} ms |`);
    console.log(
      `| parsing ss output, per poll (in Node) | ${(parseMs / polls).toFixed(3)} ms (${(socketsPolled / polls).toFixed(1)} sockets/poll) |`,
    );
    console.log(`| → polling at 10 Hz, CPU per second | ${(perPollMs * 10).toFixed(0)} ms/s |`);
    console.log(`| capture engine (replay), CPU per packet | ${enginePerPacketUs.toFixed(2)} µs |`);
    console.log(
      `| tcpdump capturing the same traffic, CPU total | ${(tdTimes.self * 1000).toFixed(0)} ms for ${packets} packets |`,
    );
    console.log(
      `| my own CPU while polling (spawn + parse) | ${((after.self - before.self) * 1000).toFixed(0)} ms |`,
    );
  } finally {
    ns.remove();
  }
}

await main();
