import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { revokeBrowser } from '../../../extension/browsers.js';
import { actorOf, orgOf } from '../../auth.js';
import { commonErrors } from '../responses.js';
import { browserParamsSchema, browserSchema } from './browser-schema.js';

/** `POST /v1/extension/browsers/{id}/revoke`: the browser's token stops working (audited). */
export function registerRevokeBrowser(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/v1/extension/browsers/:id/revoke',
    {
      schema: {
        tags: ['extension'],
        summary: 'Revoke an enrolled browser',
        params: browserParamsSchema,
        response: { 200: browserSchema, ...commonErrors },
      },
      config: { auth: auth.can('devices:revoke') },
    },
    async (request) => revokeBrowser(ctx.db, orgOf(request), actorOf(request), request.params.id),
  );
}
