import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { getDirectory } from '../../../overview/directory.js';
import { principalOf } from '../../auth.js';

const DirectoryResponse = z.object({
  users: z.array(
    z.object({ id: z.string(), name: z.string(), email: z.string(), department_id: z.string().nullable() }),
  ),
  departments: z.array(z.object({ id: z.string(), name: z.string(), parent_id: z.string().nullable() })),
  models: z.array(z.string()),
});

/** `GET /v1/overview/directory`: names and filter options for the dashboard, within reach. */
export function registerGetDirectory(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/overview/directory',
    {
      schema: {
        tags: ['overview'],
        summary: 'Users, departments and models for the dashboard filters',
        response: { 200: DirectoryResponse },
      },
      config: { auth: auth.can('usage:read') },
    },
    async (request) => getDirectory(ctx.db, principalOf(request)),
  );
}
