import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { FlowRecord } from '@toktra/capture';
import { readCaptureFile, readFlows } from '@toktra/capture';
import {
  buildClientHello,
  makeCertificate,
  makeTempDir,
  pcapOf,
  requireTools,
  runCurl,
  startTcpdump,
  startTlsServer,
  tcpConversation,
  tlsRecords,
} from '@toktra/capture/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { runReplay } from '../src/commands/replay.js';

const CONTRACT = [
  'sni', 'provider', 'product', 'category', 'transport', 'src_ip', 'src_port', 'dst_ip', 'dst_port',
  'started_at', 'ended_at', 'bytes_up', 'bytes_down', 'packets_up', 'packets_down',
  'est_input_tokens', 'est_output_tokens',
]; // biome-ignore format: the contract reads best as a block

// The real `toktra` binary, as users run it.
const CLI = join(import.meta.dirname, '../../cli/bin/toktra.js');
let dir = '';
let capture = '';

function conn(sport: number, sni: string, serverBytes: number) {
  const hello = tlsRecords(buildClientHello({ sni, alpn: ['h2'] }));
  return tcpConversation(
    { src: '10.0.0.7', dst: '104.18.33.45', sport, dport: 443 },
    { clientData: hello, serverBytes },
  );
}

function collect() {
  let text = '';
  return {
    write: (s: string) => {
      text += s;
      return true;
    },
    text: () => text,
  };
}

async function replay(
  files: string[],
  opts: { all?: boolean; format?: 'jsonl' | 'table' } = {},
  stdin?: Buffer,
) {
  const stdout = collect();
  const stderr = collect();
  const code = await runReplay(
    { files, all: opts.all ?? false, format: opts.format ?? 'jsonl' },
    { stdout, stderr, stdin: stdin ? Readable.from([stdin]) : undefined },
  );
  return { code, out: stdout.text(), err: stderr.text() };
}

function cli(args: string[], input?: Buffer) {
  const r = spawnSync(process.execPath, [CLI, 'agent', 'replay', ...args], {
    input,
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  dir = makeTempDir('toktra-replay-');
  capture = join(dir, 'mixed.pcap');
  writeFileSync(
    capture,
    pcapOf([
      ...conn(50001, 'api.openai.com', 60_000),
      ...conn(50002, 'example.org', 1000),
      ...conn(50003, 'claude.ai', 9000),
    ]),
  );
});

describe('toktra agent replay', () => {
  it('prints one contract row per AI connection (jsonl)', async () => {
    const { code, out, err } = await replay([capture]);
    expect([code, err]).toEqual([0, '']);
    const rows = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.map((r) => r.sni)).toEqual(['api.openai.com', 'claude.ai']);
    for (const r of rows) {
      expect(Object.keys(r)).toEqual(CONTRACT);
      expect(r.started_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Number.isInteger(r.est_input_tokens) && Number.isInteger(r.est_output_tokens)).toBe(true);
    }
    expect(rows[0]).toMatchObject({
      provider: 'openai',
      transport: 'tcp',
      src_ip: '10.0.0.7',
      src_port: 50001,
      dst_port: 443,
      bytes_down: 60_000,
    });
    expect(rows[0].est_output_tokens).toBeGreaterThan(0);
  });

  it('--all adds non-AI connections with null classification and null estimates', async () => {
    const rows = (await replay([capture], { all: true })).out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const other = rows.find((r) => r.sni === 'example.org');
    expect(other).toMatchObject({
      provider: null,
      product: null,
      category: null,
      est_input_tokens: null,
      est_output_tokens: null,
    });
    expect(rows).toHaveLength(3);
  });

  it('--format table summarises per provider and host', async () => {
    const { out } = await replay([capture, capture], { format: 'table', all: true });
    expect(out).toMatch(/PROVIDER\s+HOST\s+CONNS/);
    expect(out).toMatch(/openai\s+api\.openai\.com\s+2\s/);
    expect(out).toMatch(/-\s+example\.org\s+2\s/);
    expect(out).toMatch(/TOTAL\s+6\s/);
  });

  it('reads stdin for -', async () => {
    const { out } = await replay(['-'], {}, readFileSync(capture));
    expect(out.trim().split('\n')).toHaveLength(2);
  });

  it('gives a one-line error and exit 1 for unreadable or non-capture input, still printing good files', async () => {
    const junk = join(dir, 'notes.txt');
    writeFileSync(junk, 'these are not packets\n');
    mkdirSync(join(dir, 'folder'), { recursive: true });
    const { code, out, err } = await replay([junk, join(dir, 'missing.pcap'), join(dir, 'folder'), capture]);
    expect(code).toBe(1);
    expect(err.trim().split('\n')).toEqual([
      `toktra agent replay: ${junk}: not a pcap or pcapng capture (unknown magic number)`,
      `toktra agent replay: ${join(dir, 'missing.pcap')}: no such file`,
      `toktra agent replay: ${join(dir, 'folder')}: is a directory, not a capture file`,
    ]);
    expect(out.trim().split('\n')).toHaveLength(2);
  });

  it('as a process: exit codes 0 / 1 / 2 and no stack traces', () => {
    const ok = cli([capture]);
    expect(ok.code).toBe(0);
    expect(ok.out.trim().split('\n')).toHaveLength(2);
    const bad = cli([join(dir, 'nope.pcap')]);
    expect(bad.code).toBe(1);
    expect(bad.err.trim()).toBe(`toktra agent replay: ${join(dir, 'nope.pcap')}: no such file`);
    const usage = cli(['--format', 'xml', capture]);
    expect(usage.code).toBe(2);
    expect(usage.err).toMatch(/argument 'xml' is invalid/);
    expect(cli([]).code).toBe(2);
    const piped = cli(['-', '--format', 'table'], readFileSync(capture));
    expect(piped.out).toMatch(/TOTAL\s+2\s/);
    expect(piped.code).toBe(0);
  }, 90_000);

  it('replays a real tcpdump capture of curl under AI hostnames', async () => {
    requireTools('tcpdump', 'curl', 'openssl');
    const real = makeTempDir('toktra-replay-real-');
    const { cert, key } = makeCertificate(real, ['api.openai.com', 'api.groq.com']);
    const port = 20000 + (process.pid % 20000);
    const server = await startTlsServer({ port, cert, key });
    const file = join(real, 'curl.pcap');
    const td = await startTcpdump({ file, iface: 'lo', filter: `tcp port ${port}` });
    // Live path as the agent runs it: tcpdump writing pcap to stdout, parsed chunk by chunk.
    const live = spawn(
      'tcpdump',
      ['-i', 'lo', '-U', '--immediate-mode', '-w', '-', 'tcp', 'port', String(port)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    await new Promise<void>((resolve) =>
      live.stderr.on('data', (d: Buffer) => d.includes('listening') && resolve()),
    );
    const liveFlows = (async () => {
      const out: FlowRecord[] = [];
      for await (const f of readFlows(live.stdout)) out.push(f);
      return out;
    })();
    await runCurl(`https://api.openai.com:${port}/?size=120000`, `api.openai.com:${port}:127.0.0.1`);
    await runCurl(`https://api.groq.com:${port}/?size=3000`, `api.groq.com:${port}:127.0.0.1`);
    await td.stop();
    live.kill('SIGINT');
    await server.stop();
    expect((await liveFlows).map((f) => [f.sni, f.bytesDown])).toEqual(
      (await readCaptureFile(file)).map((f) => [f.sni, f.bytesDown]),
    );
    const rows = cli([file])
      .out.trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.map((r) => [r.sni, r.provider, r.dst_port])).toEqual([
      ['api.openai.com', 'openai', port],
      ['api.groq.com', 'groq', port],
    ]);
    expect(rows[0].bytes_down).toBeGreaterThan(120_000);
  }, 30_000);
});
