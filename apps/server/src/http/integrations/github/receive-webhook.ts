import type { FastifyInstance } from 'fastify';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { receiveGithubDelivery } from '../../../integrations/github/service.js';
import { uuidOr404 } from '../../v1/policies/shared.js';

/**
 * `POST /integrations/github/webhook/{orgId}` (or `/integrations/github/webhook?org_id=…`): the
 * URL an org pastes into GitHub, with its webhook secret. The body is kept raw (a Buffer) in this
 * encapsulated scope so the HMAC is computed over exactly the bytes GitHub signed.
 */
export async function registerGithubWebhookReceiver(app: FastifyInstance, ctx: AppContext): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 5 * 1024 * 1024 }, (_req, body, done) =>
      done(null, body),
    );
    const handler = async (orgId: string | undefined, request: import('fastify').FastifyRequest) => {
      const header = (name: string) => {
        const v = request.headers[name];
        return typeof v === 'string' ? v : undefined;
      };
      const event = header('x-github-event');
      const outcome = await receiveGithubDelivery(ctx, uuidOr404(orgId ?? '', 'org'), {
        event: event ?? '',
        deliveryId: header('x-github-delivery') ?? null,
        signature: header('x-hub-signature-256'),
        rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
      });
      return event === 'ping' ? { ...outcome, status: 'pong' } : outcome;
    };
    scope.post(
      '/integrations/github/webhook/:orgId',
      { schema: { hide: true }, config: { auth: auth.public('GitHub HMAC signature') } },
      async (request) => handler((request.params as { orgId?: string }).orgId, request),
    );
    scope.post(
      '/integrations/github/webhook',
      { schema: { hide: true }, config: { auth: auth.public('GitHub HMAC signature') } },
      async (request) => handler((request.query as { org_id?: string }).org_id, request),
    );
  });
}
