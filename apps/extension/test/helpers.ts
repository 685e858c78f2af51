import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '@toktra/db/testing';
import { type BrowserContext, chromium, type Worker } from 'playwright-core';
import { type RunningServer, startServer } from '../../server/src/server.js';
import { buildExtension } from '../build.js';

export const AI_HOSTS = ['api.openai.com', 'chatgpt.com', 'acme.openai.azure.com'];
export const OTHER_HOSTS = ['intranet.example.test', 'news.example.test'];

export interface SeenRequest {
  host: string;
  method: string;
  path: string;
  body: string;
}

/**
 * One TLS server answering for AI hosts and ordinary sites (Chromium reaches it through
 * --host-resolver-rules). It records what it receives, so a test can tell a blocked request
 * (never arrives) from one that went through.
 */
export async function startFakeSites(dir: string) {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=api.openai.com',
      '-addext',
      `subjectAltName=${[...AI_HOSTS, ...OTHER_HOSTS].map((h) => `DNS:${h}`).join(',')}`,
      '-keyout',
      path.join(dir, 'site.key'),
      '-out',
      path.join(dir, 'site.crt'),
    ],
    { stdio: 'ignore' },
  );
  const seen: SeenRequest[] = [];
  const server = https.createServer(
    { key: readFileSync(path.join(dir, 'site.key')), cert: readFileSync(path.join(dir, 'site.crt')) },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const host = (req.headers.host ?? '').split(':')[0] ?? '';
        const body = Buffer.concat(chunks).toString('utf8');
        const cors = {
          'access-control-allow-origin': '*',
          'access-control-allow-headers': 'content-type, authorization',
          'access-control-allow-methods': 'GET, POST',
        };
        if (req.method === 'OPTIONS') {
          res.writeHead(204, cors).end();
          return;
        }
        seen.push({ host, method: req.method ?? '', path: req.url ?? '', body });
        if (host === 'intranet.example.test' || host === 'chatgpt.com') {
          const page = `<!doctype html><title>${host}</title><p>${host}</p>`;
          res
            .writeHead(200, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(page) })
            .end(page);
          return;
        }
        const reply = JSON.stringify({
          choices: [{ message: { content: 'RESPONSE-SECRET-7f3a' } }],
          pad: 'z'.repeat(3000),
        });
        res
          .writeHead(200, {
            ...cors,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(reply),
            ...(host === 'api.openai.com' ? { 'openai-model': 'gpt-4o-mini-2024-07-18' } : {}),
          })
          .end(reply);
      });
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export interface ProxiedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A loopback HTTP proxy in front of the Toktra server that keeps every byte the extension sends it. */
export async function startRecordingProxy(target: string) {
  const traffic: ProxiedRequest[] = [];
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      traffic.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: body.toString('utf8'),
      });
      const forward = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      forward.on('error', () => res.writeHead(502).end());
      forward.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    traffic,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export interface Harness {
  server: RunningServer;
  context: BrowserContext;
  worker: Worker;
  extensionId: string;
  close(): Promise<void>;
}

/** A Toktra server, and Debian's Chromium with the built extension loaded, AI hosts mapped to `sitePort`. */
export async function startHarness(sitePort: number): Promise<Harness> {
  const dist = await buildExtension(path.join(mkdtempSync(path.join(tmpdir(), 'toktra-ext-dist-')), 'dist'));
  const dataDir = mkdtempSync(path.join(tmpdir(), 'toktra-ext-'));
  let database: TestDatabase | undefined;
  let databaseUrl: string | undefined;
  if (process.env.TEST_DATABASE_URL) {
    database = await createTestDatabase({ migrate: false });
    if ('url' in database.target) databaseUrl = database.target.url;
    await database.db.close();
  }
  const server = await startServer({
    port: 0,
    ingestPort: 0,
    dataDir,
    logLevel: 'warn',
    worker: false,
    ...(databaseUrl ? { databaseUrl } : {}),
  });
  const profile = mkdtempSync(path.join(tmpdir(), 'toktra-ext-profile-'));
  const rules = [...AI_HOSTS, ...OTHER_HOSTS].map((h) => `MAP ${h} 127.0.0.1:${sitePort}`).join(', ');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: false,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      `--disable-extensions-except=${dist}`,
      `--load-extension=${dist}`,
      `--host-resolver-rules=${rules}`,
      '--ignore-certificate-errors',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  const worker =
    context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
  const extensionId = new URL(worker.url()).host;
  return {
    server,
    context,
    worker,
    extensionId,
    close: async () => {
      await context.close().catch(() => undefined);
      await server.close();
      await database?.drop().catch(() => undefined);
      for (const dir of [dataDir, profile, path.dirname(dist)]) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
