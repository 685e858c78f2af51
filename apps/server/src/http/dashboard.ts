import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '@toktra/core';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { auth } from '../auth/route-auth.js';

/** apps/web, next to this app in the monorepo. */
export const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web');
const DIST = path.join(WEB_DIR, 'dist');
const SOURCES = ['src', 'index.html', 'vite.config.ts', 'package.json'];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Paths the SPA never owns: an unknown one answers a JSON 404, not the app. */
const API_PREFIXES = [
  '/v1/',
  '/auth/',
  '/docs',
  '/healthz',
  '/readyz',
  '/metrics',
  '/slack/',
  // Server-side integration endpoints only: `/integrations/slack` and `/integrations/itsm` are
  // dashboard pages (product docs: Integrations → Slack at /integrations/slack).
  '/integrations/github/',
  '/integrations/slack/oauth/',
];

function newestMtime(entry: string): number {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, name)));
  return newest;
}

/** Whether `apps/web/dist` is missing or older than the web sources. */
export function webBuildIsStale(): boolean {
  const index = path.join(DIST, 'index.html');
  if (!existsSync(index)) return true;
  if (!existsSync(path.join(WEB_DIR, 'src'))) return false; // a packaged install ships dist only
  const built = statSync(index).mtimeMs;
  return SOURCES.some((s) => newestMtime(path.join(WEB_DIR, s)) > built);
}

let building: Promise<void> | undefined;

/**
 * Builds the dashboard with Vite (a few seconds) into a temporary folder, then swaps it in, so a
 * half-written build is never served. `npm install` does not run build scripts here, so the
 * server builds on demand the first time it finds no (or an outdated) build. A lock directory
 * makes concurrent servers (parallel test files) build once and wait for each other.
 */
export function buildWebApp(): Promise<void> {
  building ??= withBuildLock(async () => {
    if (!webBuildIsStale()) return;
    await runViteBuild();
  }).finally(() => {
    building = undefined;
  });
  return building;
}

async function withBuildLock(fn: () => Promise<void>): Promise<void> {
  const lock = `${DIST}.lock`;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than two minutes belongs to a build that died.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 120_000)
        rmSync(lock, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function runViteBuild(): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const outDir = `${DIST}.tmp-${process.pid}`;
    const vite = path.join(WEB_DIR, 'node_modules/.bin/vite');
    const bin = existsSync(vite) ? vite : path.resolve(WEB_DIR, '../../node_modules/.bin/vite');
    const child = spawn(bin, ['build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
      cwd: WEB_DIR,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`vite build exited with ${code}`));
      rmSync(DIST, { recursive: true, force: true });
      renameSync(outDir, DIST);
      resolve();
    });
  });
}

const BUILDING_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="2"><title>Toktra</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}</style></head>
<body><h1>Toktra</h1><p>Building the dashboard (first start only, a few seconds)…</p>
<p><a href="/docs">API documentation</a></p></body></html>`;

const cache = new Map<string, Buffer>();

function sendFile(reply: FastifyReply, file: string, immutable: boolean): FastifyReply | undefined {
  let body = cache.get(file);
  if (!body) {
    if (!existsSync(file) || !statSync(file).isFile()) return undefined;
    body = readFileSync(file);
    cache.set(file, body);
  }
  reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  reply.header('x-content-type-options', 'nosniff');
  return reply.type(TYPES[path.extname(file)] ?? 'application/octet-stream').send(body);
}

/**
 * Serves the built dashboard: hashed assets cached forever, `index.html` revalidated, and every
 * other page path answered with `index.html` (client-side routes). Starts a build when needed.
 */
export function registerDashboard(app: FastifyInstance, options: { build?: boolean } = {}): void {
  if ((options.build ?? process.env.TOKTRA_WEB_BUILD !== '0') && webBuildIsStale()) {
    app.log.info('building the dashboard (apps/web) in the background');
    buildWebApp()
      .then(() => {
        cache.clear();
        app.log.info('dashboard built');
      })
      .catch((err: unknown) => app.log.error({ err }, 'dashboard build failed'));
  }
  app.get(
    '/*',
    { schema: { hide: true }, config: { auth: auth.public('the dashboard app; its data comes from /v1') } },
    async (request, reply) => {
      let urlPath: string;
      try {
        urlPath = decodeURIComponent(request.url.split('?')[0] ?? '/');
      } catch {
        throw new AppError('bad_request', 'the URL is not validly percent-encoded');
      }
      if (API_PREFIXES.some((p) => urlPath.startsWith(p))) {
        throw new AppError('not_found', `no route for ${request.method} ${urlPath}`);
      }
      if (!existsSync(path.join(DIST, 'index.html'))) {
        return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(BUILDING_PAGE);
      }
      const file = path.join(DIST, path.normalize(urlPath));
      if (file.startsWith(`${DIST}${path.sep}`) && urlPath !== '/') {
        const sent = sendFile(reply, file, urlPath.startsWith('/assets/'));
        if (sent) return sent;
        if (urlPath.startsWith('/assets/')) throw new AppError('not_found', 'no such asset');
      }
      return sendFile(reply, path.join(DIST, 'index.html'), false);
    },
  );
}
