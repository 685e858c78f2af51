import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { redirectUri, STATE_COOKIE, startSlackInstall } from '../../../integrations/slack/oauth.js';
import { actorOf, orgOf } from '../../auth.js';
import { originOf } from '../../integrations/slack/oauth-callback.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors } from '../responses.js';

/**
 * `POST /v1/slack/install` (admins): a one-time Slack authorize URL for "Install to Slack".
 * From the dashboard the state is also set as a cookie, so only this browser can finish it.
 */
export function registerSlackInstall(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/v1/slack/install',
    {
      schema: {
        tags: ['slack'],
        summary: 'Start the Slack OAuth install (returns the authorize URL)',
        response: { 200: z.object({ authorize_url: z.string(), expires_at: z.string() }), ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request, reply) => {
      const browserBound = !!request.sessionToken;
      const { url, state, expiresAt } = await startSlackInstall(ctx, orgOf(request), actorOf(request), {
        redirectUri: redirectUri(ctx, originOf(request)),
        browserBound,
      });
      if (browserBound) {
        reply.header(
          'set-cookie',
          `${STATE_COOKIE}=${state}; Path=/integrations/slack; Max-Age=600; HttpOnly; SameSite=Lax`,
        );
      }
      return { authorize_url: url, expires_at: expiresAt.toISOString() };
    },
  );
}
