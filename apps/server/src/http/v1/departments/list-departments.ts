import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { listDepartments } from '../../../departments/service.js';
import { orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { pageQuerySchema } from '../pagination.js';
import { commonErrors } from '../responses.js';
import { departmentSchema, toDepartmentJson } from './department-schema.js';

/** `GET /v1/departments`: the org's departments, cursor-paginated. */
export function registerListDepartments(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/departments',
    {
      schema: {
        tags: ['departments'],
        summary: 'List departments',
        querystring: pageQuerySchema,
        response: {
          200: z.object({ data: z.array(departmentSchema), next_cursor: z.string().nullable() }),
          ...commonErrors,
        },
      },
      config: { auth: auth.can('departments:read') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => {
      const page = await listDepartments(ctx.db, orgOf(request), request.query);
      return { data: page.data.map(toDepartmentJson), next_cursor: page.next_cursor };
    },
  );
}
