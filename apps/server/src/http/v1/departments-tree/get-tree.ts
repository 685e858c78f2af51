import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { auth } from '../../../auth/route-auth.js';
import { getDepartmentTree } from '../../../budgets/tree-view.js';
import type { AppContext } from '../../../context.js';
import { orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors } from '../responses.js';
import { treeSchema } from './tree-schema.js';

/** `GET /v1/departments/tree`: the hierarchy with this period's live usage rolled up per node. */
export function registerGetTree(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/departments/tree',
    {
      schema: {
        tags: ['departments'],
        summary: 'Department tree with live usage and budgets',
        response: { 200: treeSchema, ...commonErrors },
      },
      config: { auth: auth.orgWide('departments:read') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => getDepartmentTree(ctx, orgOf(request)),
  );
}
