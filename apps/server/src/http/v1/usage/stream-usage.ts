import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import type { UsageBatchNotice } from '../../../usage/bus.js';
import { orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { createSseRoute } from '../../sse.js';
import { commonErrors } from '../responses.js';

function toPayload(notice: UsageBatchNotice) {
  return {
    committed_at: new Date(notice.committedAt).toISOString(),
    totals: notice.totals,
    by_user: notice.byUser,
    by_provider: notice.byProvider,
  };
}

/**
 * `GET /v1/usage/stream`: Server-Sent Events. One `usage` event per committed batch of the key's
 * org, carrying that batch's totals (by user and by provider too); a `: heartbeat` comment when
 * idle so proxies keep the stream open. Streams end when the client leaves or the server closes.
 */
export function registerStreamUsage(app: FastifyInstance, ctx: AppContext): void {
  const openStream = createSseRoute(app, ctx.config.sseHeartbeatMs);
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/usage/stream',
    {
      schema: {
        tags: ['usage'],
        summary: 'Stream usage as it is ingested (SSE)',
        description:
          'text/event-stream. Event `usage`: {"committed_at", "totals", "by_user", "by_provider"} for each ' +
          "committed batch of this API key's org. Comment lines (`: heartbeat`) keep the stream alive.",
        response: { ...commonErrors },
      },
      config: { auth: auth.apiKey('read') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request, reply) => {
      const orgId = orgOf(request);
      openStream(request, reply, (send) =>
        ctx.usageBus.subscribe(orgId, (notice) => send('usage', toPayload(notice))),
      );
    },
  );
}
