import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { verifyPasswordSignIn } from '../../auth/passwords.js';
import { parseCookies } from '../../auth/principal.js';
import { auth } from '../../auth/route-auth.js';
import { createSession, csrfTokenFor, SESSION_COOKIE } from '../../auth/sessions.js';
import { KNOWN_DEVICE_COOKIE, KNOWN_DEVICE_MS } from '../../auth/sign-in-throttle.js';
import type { AppContext } from '../../context.js';
import { errorSchema } from '../v1/responses.js';
import { setCookie } from './cookies.js';

const SignInBody = z.object({
  email: z.string().trim().min(3).max(320).includes('@'),
  password: z.string().min(1).max(1024),
  org_id: z.uuid().optional(),
});

/** `POST /auth/sign-in`: email + password → a session cookie and the page's CSRF token. */
export function registerSignIn(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/auth/sign-in',
    {
      config: { auth: auth.public('sign-in: password check, throttled') },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with email and password',
        security: [],
        body: SignInBody,
        response: {
          200: z.object({ csrf_token: z.string() }),
          401: errorSchema.describe('unauthorized: wrong email or password'),
          429: errorSchema.describe('rate_limited: too many attempts; retry after retry_after_seconds'),
        },
      },
    },
    async (request, reply) => {
      const { orgId, userId, deviceToken } = await verifyPasswordSignIn(ctx.db, {
        email: request.body.email,
        password: request.body.password,
        orgId: request.body.org_id,
        ip: request.ip,
        deviceToken: parseCookies(request.headers.cookie).get(KNOWN_DEVICE_COOKIE),
      });
      const session = await createSession(ctx.db, orgId, userId, 'password', request.headers['user-agent']);
      setCookie(request, reply, SESSION_COOKIE, session.token, 12 * 60 * 60);
      setCookie(request, reply, KNOWN_DEVICE_COOKIE, deviceToken, KNOWN_DEVICE_MS / 1000);
      return { csrf_token: csrfTokenFor(session.token) };
    },
  );
}
