import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { listBrowsers } from '../../../extension/browsers.js';
import { orgOf } from '../../auth.js';
import { commonErrors } from '../responses.js';
import { browserSchema } from './browser-schema.js';

/** `GET /v1/extension/browsers`: the org's enrolled browsers (admins see who, when, last sync). */
export function registerListBrowsers(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/extension/browsers',
    {
      schema: {
        tags: ['extension'],
        summary: 'List enrolled browsers',
        querystring: z.object({ user_id: z.uuid().optional() }).strict(),
        response: { 200: z.object({ data: z.array(browserSchema) }), ...commonErrors },
      },
      config: { auth: auth.can('devices:read') },
    },
    async (request) => ({
      data: await listBrowsers(ctx.db, orgOf(request), { userId: request.query.user_id }),
    }),
  );
}
