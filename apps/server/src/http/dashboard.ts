import type { FastifyInstance } from 'fastify';

const PLACEHOLDER = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Toktra</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1b1f24}
@media (prefers-color-scheme: dark){body{background:#0d1117;color:#e6edf3}a{color:#58a6ff}}</style></head>
<body><h1>Toktra</h1><p>The server is running. The dashboard is not built yet.</p>
<ul><li><a href="/docs">API documentation</a></li><li><a href="/healthz">Health</a></li><li><a href="/metrics">Metrics</a></li></ul>
</body></html>`;

/** Serves the dashboard. Until the web app is built, a page that says where things are. */
export function registerDashboard(app: FastifyInstance): void {
  app.get('/', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/html').send(PLACEHOLDER),
  );
}
