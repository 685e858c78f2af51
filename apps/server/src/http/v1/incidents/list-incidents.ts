import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { listIncidents } from '../../../incidents/service.js';
import { orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { decodeKeyset, keysetPage } from '../policies/shared.js';
import { commonErrors } from '../responses.js';
import { incidentSchema } from './incident-schema.js';

const query = z
  .object({
    status: z.enum(['open', 'acknowledged', 'resolved']).optional(),
    assignee_id: z.uuid().optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().max(300).optional(),
  })
  .strict();

/** `GET /v1/incidents`: newest first, by status and assignee, cursor-paginated. */
export function registerListIncidents(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/incidents',
    {
      schema: {
        tags: ['incidents'],
        summary: 'List incidents',
        querystring: query,
        response: {
          200: z.object({ data: z.array(incidentSchema), next_cursor: z.string().nullable() }),
          ...commonErrors,
        },
      },
      config: { auth: auth.can('audit:read') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => {
      const { limit, cursor, ...filter } = request.query;
      const after = decodeKeyset(cursor);
      const rows = await listIncidents(ctx.db, orgOf(request), {
        ...filter,
        limit: limit + 1,
        ...(after ? { after } : {}),
      });
      return keysetPage(rows, limit);
    },
  );
}
