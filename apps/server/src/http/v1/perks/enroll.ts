import { isPerkPublicKey } from '@toktra/perks';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { enroll, unenroll } from '../../../perks/enrollments.js';
import { orgOf } from '../../auth.js';
import { commonErrors, errorSchema } from '../responses.js';
import { employeeOf, enrollmentSchema, wrappedKeySchema } from './shared.js';

const enrollBody = z
  .object({
    public_key: z.string().refine(isPerkPublicKey, 'must be a raw X25519 public key, base64url'),
    wrapped_private_key: wrappedKeySchema.nullable().default(null),
  })
  .strict();

/**
 * `POST /v1/me/perks/enrollment` (opt in with a key pair made in the browser) and
 * `DELETE /v1/me/perks/enrollment` (opt out: the ledger is deleted).
 */
export function registerEnrollment(app: FastifyInstance, ctx: AppContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.post(
    '/v1/me/perks/enrollment',
    {
      schema: {
        tags: ['perks'],
        summary:
          'Opt in to Token Perks with my public key (and optionally my passphrase-wrapped private key)',
        body: enrollBody,
        response: {
          201: enrollmentSchema,
          409: errorSchema.describe('conflict: already enrolled'),
          ...commonErrors,
        },
      },
      config: { auth: auth.can('portal:view') },
    },
    async (request, reply) => {
      const view = await enroll(ctx, orgOf(request), employeeOf(request), {
        publicKey: request.body.public_key,
        wrappedPrivateKey: request.body.wrapped_private_key,
      });
      return reply.status(201).send(view);
    },
  );
  typed.delete(
    '/v1/me/perks/enrollment',
    {
      schema: {
        tags: ['perks'],
        summary: 'Opt out of Token Perks: deletes my key and my whole personal ledger',
        response: { 204: z.null(), ...commonErrors },
      },
      config: { auth: auth.can('portal:view') },
    },
    async (request, reply) => {
      await unenroll(ctx, orgOf(request), employeeOf(request));
      return reply.status(204).send(null);
    },
  );
}
