import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { MAX_BATCH_EVENTS } from '../../../usage/event-input.js';
import { ingestBatch } from '../../../usage/ingest.js';
import { orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors, errorSchema } from '../responses.js';

// Items are validated one by one by the pipeline (a bad event is reported by index while the
// others are kept), so the request schema accepts any item and documents the expected shape.
const eventItem = z
  .unknown()
  .describe(
    'An event: {"id": UUID (your idempotency key), "occurred_at": ISO-8601, "user_email" | "user_id", ' +
      '"provider": e.g. "openai", "host"?, "model"?, "input_tokens"?, "output_tokens"?, "bytes_up"?, ' +
      '"bytes_down"?, "duration_ms"?}. Reported token counts are stored as they are (token_method ' +
      '"reported"); without them tokens are estimated from bytes.',
  );

const resultSchema = z.object({
  accepted: z.number().int().describe('events stored now'),
  duplicates: z.number().int().describe('events whose id was already stored (a resend counts once)'),
  rejected: z
    .array(
      z.object({
        index: z.number().int(),
        code: z.enum([
          'invalid_event',
          'personal_event',
          'future_timestamp',
          'ancient_timestamp',
          'invalid_count',
          'unknown_host',
          'unknown_user',
        ]),
        message: z.string(),
      }),
    )
    .describe('events refused, by their index in the request'),
});

/**
 * `POST /v1/events`: usage from sources that are not agents (an LLM gateway's callbacks, say),
 * through the same pipeline and with the same idempotency as agent batches.
 */
export function registerCreateEvents(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/v1/events',
    {
      schema: {
        tags: ['usage'],
        summary: 'Report usage events',
        description: `Up to ${MAX_BATCH_EVENTS} events per request. Needs an API key with the "ingest" scope.`,
        body: z.object({ events: z.array(eventItem) }),
        response: { 200: resultSchema, ...commonErrors, 413: errorSchema },
      },
      config: { auth: auth.apiKey('ingest') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => {
      const keyId = request.apiKey?.keyId ?? '';
      const result = await ingestBatch(ctx, orgOf(request), { type: 'api', keyId }, request.body.events);
      return result as z.infer<typeof resultSchema>;
    },
  );
}
