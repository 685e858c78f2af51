import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { MAX_RETENTION_DAYS, MIN_RETENTION_DAYS, setRetention } from '../../../retention/service.js';
import { actorOf, orgOf } from '../../auth.js';
import { commonErrors } from '../responses.js';
import { Retention } from './schema.js';

const bodySchema = z
  .object({ usage_days: z.number().int().min(MIN_RETENTION_DAYS).max(MAX_RETENTION_DAYS) })
  .strict()
  .describe('the personal TTL is fixed and cannot be set');

/** `PUT /v1/settings/retention`: how long usage is kept; the hourly job deletes what is older (audited). */
export function registerPutRetention(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().put(
    '/v1/settings/retention',
    {
      schema: {
        tags: ['settings'],
        summary: 'Set usage data retention',
        body: bodySchema,
        response: { 200: Retention, ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
    },
    async (request) => setRetention(ctx.db, orgOf(request), actorOf(request), request.body.usage_days),
  );
}
