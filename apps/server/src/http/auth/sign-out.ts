import type { FastifyInstance } from 'fastify';
import { auth } from '../../auth/route-auth.js';
import { deleteSession, SESSION_COOKIE } from '../../auth/sessions.js';
import type { AppContext } from '../../context.js';
import { clearCookie } from './cookies.js';

/** `POST /auth/sign-out`: ends the session (CSRF-checked like any unsafe cookie request). */
export function registerSignOut(app: FastifyInstance, ctx: AppContext): void {
  app.post(
    '/auth/sign-out',
    {
      schema: { tags: ['auth'], summary: 'Sign out', hide: true },
      config: { auth: auth.can('portal:view') },
    },
    async (request, reply) => {
      if (request.sessionToken) await deleteSession(ctx.db, request.sessionToken);
      clearCookie(request, reply, SESSION_COOKIE);
      return reply.status(204).send();
    },
  );
}
