import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listAlerts } from '../../../alerts/service.js';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { decodeKeyset, keysetPage } from '../policies/shared.js';
import { commonErrors } from '../responses.js';
import { alertSchema } from './alert-schema.js';

const query = z
  .object({
    status: z.enum(['open', 'acknowledged']).optional(),
    severity: z.enum(['low', 'medium', 'high', 'critical']).optional(),
    source: z.string().max(50).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().max(300).optional(),
  })
  .strict();

/** `GET /v1/alerts`: newest first, filtered by status/severity/source, cursor-paginated. */
export function registerListAlerts(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/alerts',
    {
      schema: {
        tags: ['alerts'],
        summary: 'List alerts',
        querystring: query,
        response: {
          200: z.object({ data: z.array(alertSchema), next_cursor: z.string().nullable() }),
          ...commonErrors,
        },
      },
      config: { auth: auth.can('audit:read') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => {
      const { limit, cursor, ...filter } = request.query;
      const after = decodeKeyset(cursor);
      const rows = await listAlerts(ctx.db, orgOf(request), {
        ...filter,
        limit: limit + 1,
        ...(after ? { after } : {}),
      });
      return keysetPage(rows, limit);
    },
  );
}
