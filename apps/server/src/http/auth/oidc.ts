import { AppError } from '@toktra/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as client from 'openid-client';
import { z } from 'zod';
import { resolveOidc, userForOidcClaims } from '../../auth/oidc.js';
import { rememberFlow, takeFlow } from '../../auth/oidc-flows.js';
import { parseCookies } from '../../auth/principal.js';
import { auth } from '../../auth/route-auth.js';
import { createSession, SESSION_COOKIE } from '../../auth/sessions.js';
import type { AppContext } from '../../context.js';
import { clearCookie, isHttps, setCookie } from './cookies.js';

const FLOW_COOKIE = 'toktra_oidc_state';

const StartQuery = z.object({
  email: z.string().trim().max(320).includes('@').optional(),
  org_id: z.uuid().optional(),
  return_to: z
    .string()
    .max(2000)
    .regex(/^\/(?!\/)/, 'return_to must be a path on this site')
    .optional(),
});

function callbackUrl(request: FastifyRequest): string {
  return `${isHttps(request) ? 'https' : 'http'}://${request.host}/auth/oidc/callback`;
}

/** `GET /auth/oidc/start` redirects to the org's issuer; `/auth/oidc/callback` finishes sign-in. */
export function registerOidcRoutes(app: FastifyInstance, ctx: AppContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get(
    '/auth/oidc/start',
    {
      schema: { tags: ['auth'], summary: 'Start single sign-on', security: [], querystring: StartQuery },
      config: { auth: auth.public('starts sign-in') },
    },
    async (request, reply) => {
      const oidc = await resolveOidc(ctx, { email: request.query.email, orgId: request.query.org_id });
      const codeVerifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const redirectUri = callbackUrl(request);
      rememberFlow(state, {
        orgId: oidc.orgId,
        codeVerifier,
        nonce,
        redirectUri,
        returnTo: request.query.return_to ?? '/',
        createdAt: Date.now(),
      });
      const url = client.buildAuthorizationUrl(oidc.config, {
        redirect_uri: redirectUri,
        scope: 'openid email profile',
        code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce,
        ...(request.query.email ? { login_hint: request.query.email } : {}),
      });
      setCookie(request, reply, FLOW_COOKIE, state, 600);
      return reply.redirect(url.href);
    },
  );

  typed.get(
    '/auth/oidc/callback',
    {
      schema: { tags: ['auth'], summary: 'Single sign-on callback', security: [], hide: true },
      config: { auth: auth.public('OIDC callback: state cookie + PKCE') },
    },
    async (request, reply) => {
      const query = request.query as Record<string, unknown>;
      const state = typeof query.state === 'string' ? query.state : '';
      const cookieState = parseCookies(request.headers.cookie).get(FLOW_COOKIE);
      clearCookie(request, reply, FLOW_COOKIE);
      const flow = state && cookieState === state ? takeFlow(state) : undefined;
      if (!flow) throw new AppError('bad_request', 'sign-in expired or was started in another browser');
      if (typeof query.error === 'string') {
        throw new AppError('unauthorized', `the identity provider refused sign-in: ${query.error}`);
      }
      const oidc = await resolveOidc(ctx, { orgId: flow.orgId });
      const current = new URL(flow.redirectUri);
      current.search = new URLSearchParams(query as Record<string, string>).toString();
      let claims: { sub: string; email?: unknown; email_verified?: unknown; name?: unknown } | undefined;
      try {
        const tokens = await client.authorizationCodeGrant(oidc.config, current, {
          pkceCodeVerifier: flow.codeVerifier,
          expectedState: state,
          expectedNonce: flow.nonce,
          idTokenExpected: true,
        });
        claims = tokens.claims();
        // Many issuers put profile claims only in the UserInfo response, not the ID token.
        if (claims && typeof claims.email !== 'string') {
          claims = {
            ...claims,
            ...(await client.fetchUserInfo(oidc.config, tokens.access_token, claims.sub)),
          };
        }
      } catch (error) {
        throw new AppError(
          'unauthorized',
          'the identity provider did not confirm this sign-in',
          {},
          {
            cause: error,
          },
        );
      }
      if (!claims) throw new AppError('unauthorized', 'the identity provider returned no ID token');
      const userId = await userForOidcClaims(ctx.db, oidc, claims);
      const session = await createSession(ctx.db, oidc.orgId, userId, 'oidc', request.headers['user-agent']);
      setCookie(request, reply, SESSION_COOKIE, session.token, 12 * 60 * 60);
      return reply.redirect(flow.returnTo);
    },
  );
}
