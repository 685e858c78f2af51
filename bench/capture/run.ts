/**
 * Capture benchmark: `toktra agent replay --all` vs tshark vs `cat` on a ≥1M-packet capture of real
 * TLS traffic generated here (cached in bench/.out/). Run: node --import tsx bench/capture/run.ts
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { ensureBenchCapture } from './generate.js';

const OUT = join(import.meta.dirname, '..', '.out');
const BIG = join(OUT, 'capture-1m.pcap');
const SMALL = join(OUT, 'capture-quarter.pcap');
const WORKER = join(import.meta.dirname, 'replay-worker.ts');

/** Counts pcap records by walking record headers (little-endian µs pcap, as tcpdump writes here). */
function countPackets(file: string): number {
  const fd = openSync(file, 'r');
  const head = Buffer.alloc(16);
  let off = 24;
  let n = 0;
  const size = statSync(file).size;
  while (off + 16 <= size && readSync(fd, head, 0, 16, off) === 16) {
    off += 16 + head.readUInt32LE(8);
    n++;
  }
  closeSync(fd);
  return n;
}

function timeIt<T>(fn: () => T): { seconds: number; result: T } {
  const t = process.hrtime.bigint();
  const result = fn();
  return { seconds: Number(process.hrtime.bigint() - t) / 1e9, result };
}

interface OursResult {
  seconds: number;
  wallSeconds: number;
  maxRssMiB: number;
  rows: number;
  snis: string[];
}

function runOurs(file: string): OursResult {
  const { seconds: wallSeconds, result } = timeIt(() =>
    spawnSync(process.execPath, ['--import', 'tsx', WORKER, file], { encoding: 'utf8', maxBuffer: 1 << 26 }),
  );
  if (result.status !== 0) throw new Error(`replay failed: ${result.stderr}`);
  return { ...JSON.parse(result.stdout), wallSeconds };
}

function runTshark(file: string): { seconds: number; snis: string[] } {
  const args = [
    '-r',
    file,
    '-Y',
    'tls.handshake.type==1',
    '-T',
    'fields',
    '-e',
    'tls.handshake.extensions_server_name',
  ];
  const { seconds, result } = timeIt(() =>
    execFileSync('tshark', args, {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  );
  return { seconds, snis: [...new Set(result.split('\n').filter(Boolean))].sort() };
}

function runCat(file: string): number {
  return timeIt(() => execFileSync('sh', ['-c', `cat '${file}' > /dev/null`])).seconds;
}

await ensureBenchCapture(BIG, 7000, 200_000);
const total = countPackets(BIG);
if (total < 1_000_000) throw new Error(`capture has only ${total} packets; delete ${BIG} and rerun`);
try {
  statSync(SMALL);
} catch {
  execFileSync('editcap', ['-F', 'pcap', '-r', BIG, SMALL, `1-${Math.floor(total / 4)}`]);
}
const small = countPackets(SMALL);
const mb = statSync(BIG).size / 1e6;

runCat(BIG); // warm the page cache so every tool reads from memory
const catSeconds = runCat(BIG);
const ours = runOurs(BIG);
const oursSmall = runOurs(SMALL);
const tshark = runTshark(BIG);
const same = JSON.stringify(ours.snis) === JSON.stringify(tshark.snis);

const pps = (s: number) => Math.round(total / s);
const fmt = (n: number) => n.toLocaleString('en-US');
const lines = [
  `# Capture benchmark (bench/capture)`,
  ``,
  `Reproduce: \`node --import tsx bench/capture/run.ts\` (root; needs tcpdump, tshark, openssl, iproute2, ethtool;`,
  `the capture is generated once into bench/.out/ — delete it to regenerate).`,
  ``,
  `Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}; single-threaded runs.`,
  `Input: ${fmt(total)} packets, ${mb.toFixed(0)} MB, 7,000 real TLS connections (Node HTTPS clients, 10 SNI names,`,
  `7 AI + 3 non-AI, 200 kB responses) on loopback MTU 1500 with offloads off, captured by tcpdump.`,
  ``,
  `| tool | seconds | packets/s | vs tshark |`,
  `|---|---:|---:|---:|`,
  `| \`cat FILE > /dev/null\` (I/O floor, page cache warm) | ${catSeconds.toFixed(2)} | ${fmt(pps(catSeconds))} | ${(tshark.seconds / catSeconds).toFixed(0)}× |`,
  `| \`toktra agent replay --all\` (runReplay in-process, incl. classify + JSONL) | ${ours.seconds.toFixed(2)} | ${fmt(pps(ours.seconds))} | ${(tshark.seconds / ours.seconds).toFixed(1)}× |`,
  `| same, process wall time incl. Node/tsx start-up | ${ours.wallSeconds.toFixed(2)} | ${fmt(pps(ours.wallSeconds))} | ${(tshark.seconds / ours.wallSeconds).toFixed(1)}× |`,
  `| \`tshark -r FILE -Y tls.handshake.type==1 -T fields -e tls.handshake.extensions_server_name\` | ${tshark.seconds.toFixed(2)} | ${fmt(pps(tshark.seconds))} | 1× |`,
  ``,
  `SNI sets identical (toktra vs tshark): **${same ? 'yes' : 'NO'}** — ${ours.snis.length} names; toktra rows: ${fmt(ours.rows)} connections.`,
  ``,
  `Peak RSS of the replay process (memory must stay flat as the file grows):`,
  ``,
  `| file | packets | peak RSS |`,
  `|---|---:|---:|`,
  `| first quarter | ${fmt(small)} | ${oursSmall.maxRssMiB.toFixed(0)} MiB |`,
  `| whole file | ${fmt(total)} | ${ours.maxRssMiB.toFixed(0)} MiB |`,
  ``,
];
const text = lines.join('\n');
console.log(text);
writeFileSync(join(import.meta.dirname, 'RESULTS.md'), text);
if (!same) {
  console.error(`SNI mismatch:\n ours:   ${ours.snis.join(',')}\n tshark: ${tshark.snis.join(',')}`);
  process.exitCode = 1;
}
