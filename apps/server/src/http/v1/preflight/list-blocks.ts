import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import { listBlocks } from '../../../budgets/blocks.js';
import type { AppContext } from '../../../context.js';
import { orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors } from '../responses.js';
import { blockSchema, toBlockJson } from './block-schema.js';

/** `GET /v1/blocks`: users whose LLM access is blocked now (by an admin or a policy). */
export function registerListBlocks(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/blocks',
    {
      schema: {
        tags: ['budgets'],
        summary: 'List blocked users',
        response: { 200: z.object({ data: z.array(blockSchema) }), ...commonErrors },
      },
      config: { auth: auth.orgWide('departments:read') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => ({ data: (await listBlocks(ctx, orgOf(request))).map(toBlockJson) }),
  );
}
