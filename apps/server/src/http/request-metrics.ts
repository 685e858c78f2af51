import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';
import { histogram } from '../metrics.js';

export function installRequestMetrics(app: FastifyInstance, ctx: AppContext): void {
  const duration = histogram(ctx.metrics, {
    name: 'toktra_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  });
  app.addHook('onResponse', async (request, reply) => {
    duration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });
}
