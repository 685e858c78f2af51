import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { acknowledgeAlert, getAlert } from '../../../alerts/service.js';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { actorOf, orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { idParams, uuidOr404 } from '../policies/shared.js';
import { commonErrors } from '../responses.js';
import { alertSchema } from './alert-schema.js';

/** `GET /v1/alerts/{id}` and `POST /v1/alerts/{id}/acknowledge` (idempotent; audited once). */
export function registerAlertItemRoutes(app: FastifyInstance, ctx: AppContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get(
    '/v1/alerts/:id',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Get an alert',
        params: idParams,
        response: { 200: alertSchema, ...commonErrors },
      },
      config: { auth: auth.can('audit:read') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => getAlert(ctx.db, orgOf(request), uuidOr404(request.params.id, 'alert')),
  );
  typed.post(
    '/v1/alerts/:id/acknowledge',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Acknowledge an alert',
        params: idParams,
        response: { 200: alertSchema, ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) =>
      acknowledgeAlert(ctx.db, orgOf(request), actorOf(request), uuidOr404(request.params.id, 'alert')),
  );
}
