import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { executeErasure } from '../../../data-requests/service.js';
import { actorOf, orgOf } from '../../auth.js';
import { commonErrors, errorSchema, idSchema } from '../responses.js';
import { DataRequest } from './schema.js';

const bodySchema = z
  .object({ confirm: z.literal('ERASE').describe('type ERASE: erasure cannot be undone') })
  .strict();

/** `POST /v1/data-requests/{id}/erase`: irreversibly erases the person (confirmation required). */
export function registerExecuteErasure(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/v1/data-requests/:id/erase',
    {
      schema: {
        tags: ['data-requests'],
        summary: 'Execute an erasure request',
        params: z.object({ id: idSchema }),
        body: bodySchema,
        response: {
          200: DataRequest,
          409: errorSchema.describe('not an open erasure request'),
          ...commonErrors,
        },
      },
      config: { auth: auth.can('settings:manage') },
    },
    async (request) => executeErasure(ctx, orgOf(request), actorOf(request), request.params.id),
  );
}
