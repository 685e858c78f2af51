import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { listSlackChannels } from '../../../integrations/slack/alert-channels.js';
import { listDeliveries } from '../../../integrations/slack/delivery-log.js';
import {
  listInstallations,
  registerEnvBotToken,
  uninstallInstallation,
} from '../../../integrations/slack/installations.js';
import { actorOf, orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { idParams, uuidOr404 } from '../policies/shared.js';
import { commonErrors } from '../responses.js';

export const installationSchema = z.object({
  id: z.string(),
  team_id: z.string(),
  team_name: z.string(),
  bot_user_id: z.string().nullable(),
  scopes: z.array(z.string()),
  installed_by: z.string().nullable(),
  installed_at: z.string(),
  uninstalled_at: z.string().nullable(),
});

/**
 * `GET /v1/slack/installations`, `POST /v1/slack/installations/env-token` (register
 * SLACK_BOT_TOKEN without OAuth), `DELETE /v1/slack/installations/{id}`,
 * `GET /v1/slack/installations/{id}/channels` (picker), `GET /v1/slack/deliveries` (log).
 */
export function registerSlackInstallationRoutes(app: FastifyInstance, ctx: AppContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get(
    '/v1/slack/installations',
    {
      schema: {
        tags: ['slack'],
        summary: 'Slack workspaces connected to this org',
        response: { 200: z.object({ data: z.array(installationSchema) }), ...commonErrors },
      },
      config: { auth: auth.can('audit:read') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => ({ data: await listInstallations(ctx, orgOf(request)) }),
  );
  typed.post(
    '/v1/slack/installations/env-token',
    {
      schema: {
        tags: ['slack'],
        summary: 'Connect the workspace of SLACK_BOT_TOKEN (single-workspace setup)',
        response: { 201: installationSchema, ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request, reply) =>
      reply.status(201).send(await registerEnvBotToken(ctx, orgOf(request), actorOf(request))),
  );
  typed.delete(
    '/v1/slack/installations/:id',
    {
      schema: {
        tags: ['slack'],
        summary: 'Disconnect a Slack workspace (its token is erased)',
        params: idParams,
        response: { 204: z.null(), ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request, reply) => {
      await uninstallInstallation(
        ctx,
        orgOf(request),
        actorOf(request),
        uuidOr404(request.params.id, 'installation'),
      );
      return reply.status(204).send(null);
    },
  );
  typed.get(
    '/v1/slack/installations/:id/channels',
    {
      schema: {
        tags: ['slack'],
        summary: 'Channels the bot can post to',
        params: idParams,
        response: {
          200: z.object({
            data: z.array(z.object({ id: z.string(), name: z.string(), is_private: z.boolean() })),
          }),
          ...commonErrors,
        },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => ({
      data: await listSlackChannels(ctx, orgOf(request), uuidOr404(request.params.id, 'installation')),
    }),
  );
  typed.get(
    '/v1/slack/deliveries',
    {
      schema: {
        tags: ['slack'],
        summary: 'Recent Slack messages and their delivery attempts',
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
        response: {
          200: z.object({
            data: z.array(
              z.object({
                id: z.string(),
                kind: z.string(),
                installation_id: z.string().nullable(),
                channel_id: z.string().nullable(),
                subject_id: z.string().nullable(),
                status: z.enum(['pending', 'sent', 'failed']),
                attempts: z.number(),
                last_error: z.string().nullable(),
                message_ts: z.string().nullable(),
                created_at: z.string(),
                sent_at: z.string().nullable(),
              }),
            ),
          }),
          ...commonErrors,
        },
      },
      config: { auth: auth.can('audit:read') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => ({ data: await listDeliveries(ctx, orgOf(request), request.query.limit) }),
  );
}
