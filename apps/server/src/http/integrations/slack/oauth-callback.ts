import { AppError } from '@toktra/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { parseCookies } from '../../../auth/principal.js';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import {
  completeSlackInstall,
  OAUTH_CALLBACK_PATH,
  redirectUri,
  STATE_COOKIE,
} from '../../../integrations/slack/oauth.js';

export function originOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.headers.host ?? 'localhost'}`;
}

/**
 * `GET /integrations/slack/oauth/callback?code&state`: where Slack sends the admin's browser
 * after "Allow". The state must be one we issued, unexpired and unused (and match the browser's
 * cookie when the install started in a browser); then the code is exchanged and the workspace
 * stored. The browser goes back to Integrations → Slack with the outcome in the query.
 */
export function registerSlackOauthCallback(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    OAUTH_CALLBACK_PATH,
    {
      config: { auth: auth.public('Slack OAuth callback: state cookie') },
      schema: {
        hide: true,
        querystring: z.object({
          code: z.string().min(1).max(500).optional(),
          state: z.string().min(1).max(200).optional(),
          error: z.string().max(200).optional(),
        }),
      },
    },
    async (request, reply) => {
      const { code, state, error } = request.query;
      const back = (query: string) => `${ctx.config.publicUrl ?? ''}/integrations/slack?${query}`;
      reply.header(
        'set-cookie',
        `${STATE_COOKIE}=; Path=/integrations/slack; Max-Age=0; HttpOnly; SameSite=Lax`,
      );
      if (error) return reply.redirect(back(`error=${encodeURIComponent(error)}`), 302);
      if (!code || !state) throw new AppError('validation_failed', 'code and state are required');
      const cookie = parseCookies(request.headers.cookie).get(STATE_COOKIE);
      const { installation } = await completeSlackInstall(ctx, {
        code,
        state,
        cookie,
        redirectUri: redirectUri(ctx, originOf(request)),
      });
      return reply.redirect(back(`installed=${encodeURIComponent(installation.team_id)}`), 302);
    },
  );
}
