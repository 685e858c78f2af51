/**
 * Builds the benchmark capture from real TLS traffic: many concurrent Node HTTPS clients under AI and
 * non-AI SNI names fetch large responses from a local server inside a network namespace (loopback MTU
 * 1500, offloads off, so every packet is a real ≤1500-byte segment); tcpdump records it.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import * as lab from '@toktra/capture/testing';

export const SNI_NAMES = [
  'api.openai.com',
  'chatgpt.com',
  'api.anthropic.com',
  'claude.ai',
  'api.mistral.ai',
  'generativelanguage.googleapis.com',
  'copilot-proxy.githubusercontent.com',
  'www.example.com',
  'cdn.example.net',
  'static.news-site.org',
];

const CLIENT_SOURCE = `
const https = require('node:https');
const names = process.env.NAMES.split(','); const total = Number(process.env.CONNS);
const size = Number(process.env.SIZE); let started = 0, done = 0;
function next() {
  if (started >= total) return;
  const i = started++;
  const req = https.get({ host: '127.0.0.1', port: 443, path: '/?size=' + size, servername: names[i % names.length],
    rejectUnauthorized: false, agent: false }, (res) => { res.resume(); res.on('end', fin); });
  req.on('error', fin);
}
function fin() { if (++done === total) console.log('done'); else next(); }
for (let k = 0; k < Number(process.env.CONC); k++) next();
`;

/** Generates `file` unless it is cached; returns immediately when it exists. */
export async function ensureBenchCapture(file: string, conns = 5000, size = 200_000): Promise<void> {
  if (existsSync(file)) return;
  lab.requireTools('tcpdump', 'openssl', 'ip', 'ethtool');
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.partial`;
  const dir = lab.makeTempDir('toktra-bench-');
  const ns = lab.createNetns(`toktra-bench-${process.pid}`);
  try {
    const { cert, key } = lab.makeCertificate(dir, SNI_NAMES);
    const server = await lab.startTlsServer({ port: 443, cert, key, netns: ns.name });
    const td = await lab.startTcpdump({
      file: tmp,
      iface: 'lo',
      filter: 'tcp port 443',
      netns: ns.name,
      extra: ['-B', '262144'],
    });
    const client = spawn('ip', ['netns', 'exec', ns.name, process.execPath, '-e', CLIENT_SOURCE], {
      env: {
        ...process.env,
        NAMES: SNI_NAMES.join(','),
        CONNS: String(conns),
        SIZE: String(size),
        CONC: '40',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    await once(client, 'exit');
    await td.stop();
    await server.stop();
    renameSync(tmp, file);
  } finally {
    ns.remove();
  }
}
