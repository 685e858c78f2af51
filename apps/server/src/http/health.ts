import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { auth } from '../auth/route-auth.js';
import type { AppContext } from '../context.js';

export function registerHealthRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/healthz',
    { schema: { hide: true }, config: { auth: auth.public('readiness probe') } },
    async (_request, reply) => {
      for (const store of ctx.db.stores()) await sql`SELECT 1`.execute(store.kysely);
      return reply.send({ status: 'ok' });
    },
  );
  app.get(
    '/metrics',
    { schema: { hide: true }, config: { auth: auth.public('Prometheus scrape (counters only)') } },
    async (_request, reply) => reply.type(ctx.metrics.contentType).send(await ctx.metrics.metrics()),
  );
}
