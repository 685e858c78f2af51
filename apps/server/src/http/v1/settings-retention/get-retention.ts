import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { getRetention } from '../../../retention/service.js';
import { orgOf } from '../../auth.js';
import { commonErrors } from '../responses.js';
import { Retention } from './schema.js';

/** `GET /v1/settings/retention`. */
export function registerGetRetention(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/settings/retention',
    {
      schema: {
        tags: ['settings'],
        summary: 'Usage data retention',
        response: { 200: Retention, ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
    },
    async (request) => getRetention(ctx.db, orgOf(request)),
  );
}
