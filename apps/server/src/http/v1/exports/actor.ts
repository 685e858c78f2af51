import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../../audit/service.js';
import { principalOf } from '../../auth.js';

/** The audit actor of an authenticated request: the API key or the signed-in user. */
export function actorOf(request: FastifyRequest): Actor {
  const principal = principalOf(request);
  return principal.kind === 'api_key'
    ? { type: 'api_key', id: principal.keyId ?? null }
    : { type: 'user', id: principal.userId ?? null };
}
