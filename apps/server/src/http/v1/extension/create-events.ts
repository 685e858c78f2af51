import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { ingestExtensionBatch } from '../../../extension/ingest.js';
import { MAX_EXTENSION_BATCH } from '../../../extension/request-input.js';
import { commonErrors, errorSchema } from '../responses.js';
import { browserOf } from './extension-auth.js';

// Items are validated one by one (a bad one is reported by index, the others kept).
const item = z
  .unknown()
  .describe(
    'A request: {"id": UUIDv7, "started_at": ISO-8601, "duration_ms"?, "host", "path_class", "method", ' +
      '"model"?, "status_code"?, "bytes_up"?, "bytes_down"?}. Any other field is refused: no URL, no body.',
  );

const resultSchema = z.object({
  accepted: z.number().int(),
  duplicates: z.number().int(),
  enriched: z.number().int().describe('requests the agent had already counted: they add a model, not tokens'),
  rejected: z.array(z.object({ index: z.number().int(), code: z.string(), message: z.string() })),
});

/** `POST /v1/extension/events`: a batch of observed LLM request metadata from an enrolled browser. */
export function registerExtensionEvents(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/v1/extension/events',
    {
      schema: {
        tags: ['extension'],
        summary: 'Report observed LLM requests (extension)',
        description: `Up to ${MAX_EXTENSION_BATCH} requests per batch; idempotent by id.`,
        body: z.object({ events: z.array(item) }).strict(),
        response: { 200: resultSchema, ...commonErrors, 413: errorSchema },
      },
      config: { auth: auth.extension() },
    },
    async (request) => ingestExtensionBatch(ctx, browserOf(request), request.body.events),
  );
}
