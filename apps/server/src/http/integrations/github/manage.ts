import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import {
  deleteGithubUserMapping,
  listGithubUserMappings,
  putGithubUserMappings,
  setGithubWebhookSecret,
} from '../../../integrations/github/service.js';
import { actorOf, orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors } from '../../v1/responses.js';

const login = z
  .string()
  .min(1)
  .max(39)
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/, 'is not a GitHub login');
const mapping = z.object({ login, user_id: z.uuid() }).strict();
const mappings = z.object({ data: z.array(z.object({ login: z.string(), user_id: z.string() })) });

/**
 * `PUT /v1/github/webhook-secret` (set or generate the org's GitHub webhook secret; returned once
 * with the URL to paste), `GET/PUT /v1/github/user-mappings`, `DELETE /v1/github/user-mappings/{login}`.
 */
export function registerGithubManagement(app: FastifyInstance, ctx: AppContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.put(
    '/v1/github/webhook-secret',
    {
      schema: {
        tags: ['github'],
        summary: 'Set or generate the GitHub webhook secret',
        body: z
          .object({ secret: z.string().min(16).max(200).optional() })
          .strict()
          .default({}),
        response: { 200: z.object({ secret: z.string(), webhook_path: z.string() }), ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => {
      const orgId = orgOf(request);
      const { secret } = await setGithubWebhookSecret(ctx, orgId, actorOf(request), request.body?.secret);
      return { secret, webhook_path: `/integrations/github/webhook/${orgId}` };
    },
  );
  typed.get(
    '/v1/github/user-mappings',
    {
      schema: {
        tags: ['github'],
        summary: 'GitHub login → user mappings',
        response: { 200: mappings, ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => ({ data: await listGithubUserMappings(ctx.db, orgOf(request)) }),
  );
  typed.put(
    '/v1/github/user-mappings',
    {
      schema: {
        tags: ['github'],
        summary: 'Add or change GitHub login → user mappings',
        body: z.object({ mappings: z.array(mapping).min(1).max(1000) }).strict(),
        response: { 200: mappings, ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => ({
      data: await putGithubUserMappings(ctx.db, orgOf(request), actorOf(request), request.body.mappings),
    }),
  );
  typed.delete(
    '/v1/github/user-mappings/:login',
    {
      schema: {
        tags: ['github'],
        summary: 'Remove a GitHub login mapping',
        params: z.object({ login }),
        response: { 204: z.null(), ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request, reply) => {
      await deleteGithubUserMapping(ctx.db, orgOf(request), actorOf(request), request.params.login);
      return reply.status(204).send(null);
    },
  );
}
