import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { createTicketForAlert } from '../../../integrations/itsm/service.js';
import { actorOf, orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { uuidOr404 } from '../policies/shared.js';
import { commonErrors } from '../responses.js';

/** `POST /v1/itsm/tickets` `{alert_id, connector_id?}`: the dashboard's Create ticket. */
export function registerItsmTicketRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/v1/itsm/tickets',
    {
      schema: {
        tags: ['itsm'],
        summary: 'Open an ITSM ticket for an alert (one per alert and connector)',
        body: z
          .object({
            alert_id: z.string().min(1).max(100),
            connector_id: z.string().min(1).max(100).optional(),
          })
          .strict(),
        response: {
          200: z.object({
            id: z.string(),
            alert_id: z.string(),
            connector_id: z.string(),
            kind: z.enum(['servicenow', 'jira']),
            key: z.string(),
            url: z.string(),
            created: z.boolean(),
          }),
          ...commonErrors,
        },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => {
      const { alert_id, connector_id } = request.body;
      return createTicketForAlert(
        ctx,
        orgOf(request),
        actorOf(request),
        uuidOr404(alert_id, 'alert'),
        connector_id ? uuidOr404(connector_id, 'ITSM connector') : undefined,
      );
    },
  );
}
