import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import {
  deleteAlertChannel,
  listAlertChannels,
  putAlertChannel,
} from '../../../integrations/slack/alert-channels.js';
import { actorOf, orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { idParams, uuidOr404 } from '../policies/shared.js';
import { commonErrors } from '../responses.js';

const severity = z.enum(['low', 'medium', 'high', 'critical']);
const channelSchema = z.object({
  id: z.string(),
  installation_id: z.string(),
  channel_id: z.string(),
  channel_name: z.string(),
  severities: z.array(severity),
  created_at: z.string(),
});
export const putChannelBody = z
  .object({
    installation_id: z.uuid(),
    channel_id: z.string().regex(/^[CG][A-Z0-9]{2,30}$/, 'is not a Slack channel id (C… or G…)'),
    channel_name: z.string().max(80).optional(),
    severities: z.array(severity).min(1).max(4),
  })
  .strict();

/** `GET/PUT /v1/slack/alert-channels`, `DELETE /v1/slack/alert-channels/{id}`. */
export function registerAlertChannelRoutes(app: FastifyInstance, ctx: AppContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get(
    '/v1/slack/alert-channels',
    {
      schema: {
        tags: ['slack'],
        summary: 'Channels that receive alerts, with their severity filters',
        response: { 200: z.object({ data: z.array(channelSchema) }), ...commonErrors },
      },
      config: { auth: auth.can('audit:read') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => ({ data: await listAlertChannels(ctx, orgOf(request)) }),
  );
  typed.put(
    '/v1/slack/alert-channels',
    {
      schema: {
        tags: ['slack'],
        summary: 'Add an alert channel or change its severity filter',
        body: putChannelBody,
        response: { 200: channelSchema, ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => {
      const body = request.body;
      return putAlertChannel(ctx, orgOf(request), actorOf(request), {
        installation_id: uuidOr404(body.installation_id, 'installation'),
        channel_id: body.channel_id,
        channel_name: body.channel_name,
        severities: body.severities,
      });
    },
  );
  typed.delete(
    '/v1/slack/alert-channels/:id',
    {
      schema: {
        tags: ['slack'],
        summary: 'Stop sending alerts to a channel',
        params: idParams,
        response: { 204: z.null(), ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request, reply) => {
      await deleteAlertChannel(
        ctx,
        orgOf(request),
        actorOf(request),
        uuidOr404(request.params.id, 'alert channel'),
      );
      return reply.status(204).send(null);
    },
  );
}
