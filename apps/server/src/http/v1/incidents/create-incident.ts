import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { createIncident } from '../../../incidents/service.js';
import { actorOf, orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors } from '../responses.js';
import { incidentSchema } from './incident-schema.js';

const body = z
  .object({
    title: z.string().trim().min(1).max(300),
    severity: z.enum(['low', 'medium', 'high', 'critical']).default('medium'),
    assignee_id: z.uuid().nullish(),
    user_id: z.uuid().nullish(),
  })
  .strict();

/** `POST /v1/incidents`: open an incident by hand (policies open them too). */
export function registerCreateIncident(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/v1/incidents',
    {
      schema: {
        tags: ['incidents'],
        summary: 'Open an incident',
        body,
        response: { 201: incidentSchema, ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request, reply) => {
      const orgId = orgOf(request);
      const incident = await ctx.db.withTenant(orgId, async (tx) => {
        if (request.body.user_id) {
          const user = await tx.db
            .selectFrom('users')
            .select('id')
            .where('org_id', '=', orgId)
            .where('id', '=', request.body.user_id)
            .executeTakeFirst();
          if (!user) return null;
        }
        return createIncident(tx, orgId, actorOf(request), {
          title: request.body.title,
          severity: request.body.severity,
          assigneeId: request.body.assignee_id ?? null,
          userId: request.body.user_id ?? null,
        });
      });
      if (!incident) {
        return reply
          .status(400)
          .send({ error: { code: 'validation_failed', message: 'user_id: no such user in this org' } });
      }
      return reply.status(201).send(incident);
    },
  );
}
