import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { listMyEntries } from '../../../perks/ledger.js';
import { orgOf } from '../../auth.js';
import { commonErrors } from '../responses.js';
import { employeeOf } from './shared.js';

const entrySchema = z.object({
  id: z.string(),
  enrollment_id: z.string(),
  client_id: z.string(),
  enc: z.string(),
  ciphertext: z.string(),
  created_at: z.string(),
  expires_at: z.string(),
});

/** `GET /v1/me/perks/entries`: my sealed personal events; only my browser can open them. */
export function registerListMyEntries(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/me/perks/entries',
    {
      schema: {
        tags: ['perks'],
        summary: 'My sealed personal-usage entries (HPKE ciphertext; decrypt in the browser)',
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(5000).default(1000),
          after: z.string().uuid().optional(),
        }),
        response: {
          200: z.object({ data: z.array(entrySchema), next_cursor: z.string().nullable() }),
          ...commonErrors,
        },
      },
      config: { auth: auth.can('portal:view') },
    },
    async (request) => listMyEntries(ctx, orgOf(request), employeeOf(request), request.query),
  );
}
