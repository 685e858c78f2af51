import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { enrollExtension } from '../../../extension/enroll.js';
import { errorSchema } from '../responses.js';

const meta = {
  browser_name: z.string().trim().min(1).max(200).default('Chrome'),
  extension_version: z.string().trim().max(40).optional(),
};

const bodySchema = z.union([
  z
    .object({
      email: z.string().trim().min(3).max(320).includes('@'),
      password: z.string().min(1).max(1024),
      org_id: z.uuid().optional(),
      ...meta,
    })
    .strict(),
  z
    .object({
      org_token: z.string().min(1).max(200).describe('an org enrollment token (managed Chrome policy)'),
      user_email: z.string().trim().min(3).max(320).includes('@'),
      ...meta,
    })
    .strict(),
]);

/**
 * `POST /v1/extension/enroll`: the extension enrolls its browser for a user, by the user's sign-in
 * or by a managed policy's org token; the answer's token is shown once and stored hashed.
 */
export function registerEnrollExtension(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/v1/extension/enroll',
    {
      config: { auth: auth.public('one-time enrollment code in the body') },
      schema: {
        tags: ['extension'],
        summary: 'Enroll a browser extension',
        security: [],
        body: bodySchema,
        response: {
          201: z.object({
            browser_id: z.string(),
            token: z.string(),
            org_id: z.string(),
            user_id: z.string(),
          }),
          400: errorSchema,
          401: errorSchema,
          404: errorSchema,
          429: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const { browser_name, extension_version, ...credentials } = request.body;
      const answer = await enrollExtension(ctx.db, credentials, {
        ip: request.ip,
        name: browser_name,
        version: extension_version,
      });
      return reply.status(201).send(answer);
    },
  );
}
