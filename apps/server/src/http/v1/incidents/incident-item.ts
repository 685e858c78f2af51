import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { addIncidentComment, getIncident, updateIncident } from '../../../incidents/service.js';
import { actorOf, orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { idParams, uuidOr404 } from '../policies/shared.js';
import { commonErrors } from '../responses.js';
import { incidentSchema, timelineEntrySchema } from './incident-schema.js';

const patchBody = z
  .object({
    status: z.enum(['open', 'acknowledged', 'resolved']).optional(),
    assignee_id: z.uuid().nullable().optional(),
  })
  .strict()
  .refine((b) => b.status !== undefined || b.assignee_id !== undefined, {
    message: 'give status and/or assignee_id',
  });

/** `GET /v1/incidents/{id}` (with its timeline), `PATCH` (status, assignee) and `POST …/comments`. */
export function registerIncidentItemRoutes(app: FastifyInstance, ctx: AppContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get(
    '/v1/incidents/:id',
    {
      schema: {
        tags: ['incidents'],
        summary: 'Get an incident and its timeline',
        params: idParams,
        response: { 200: incidentSchema.extend({ timeline: z.array(timelineEntrySchema) }), ...commonErrors },
      },
      config: { auth: auth.can('audit:read') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => getIncident(ctx.db, orgOf(request), uuidOr404(request.params.id, 'incident')),
  );
  typed.patch(
    '/v1/incidents/:id',
    {
      schema: {
        tags: ['incidents'],
        summary: 'Acknowledge, resolve, reopen or assign an incident',
        params: idParams,
        body: patchBody,
        response: { 200: incidentSchema, ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) =>
      updateIncident(
        ctx.db,
        orgOf(request),
        actorOf(request),
        uuidOr404(request.params.id, 'incident'),
        request.body,
      ),
  );
  typed.post(
    '/v1/incidents/:id/comments',
    {
      schema: {
        tags: ['incidents'],
        summary: 'Comment on an incident (timeline)',
        params: idParams,
        body: z.object({ body: z.string().trim().min(1).max(10_000) }).strict(),
        response: { 201: timelineEntrySchema, ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await addIncidentComment(
            ctx.db,
            orgOf(request),
            actorOf(request),
            uuidOr404(request.params.id, 'incident'),
            request.body.body,
          ),
        ),
  );
}
