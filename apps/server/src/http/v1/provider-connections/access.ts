import { AppError } from '@toktra/core';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../../audit/service.js';
import { can } from '../../../auth/permissions.js';
import type { AppContext } from '../../../context.js';
import { authenticate, principalOf } from '../../auth.js';

/**
 * Provider connections hold the org's most powerful third-party credentials: writes need an API
 * key with the write (or admin) scope or an owner/admin session; reads any API key scope but
 * ingest, or an owner/admin session.
 */
export function requireConnectionAccess(ctx: AppContext, mode: 'read' | 'write') {
  return async (request: FastifyRequest): Promise<void> => {
    const principal = await authenticate(ctx, request);
    if (principal.kind === 'api_key') {
      const allowed = mode === 'read' ? ['read', 'write', 'admin'] : ['write', 'admin'];
      if (!principal.scopes.some((s) => allowed.includes(s))) {
        throw new AppError('forbidden', `this API key lacks the "${mode}" scope`);
      }
    } else if (!can(principal, 'settings:manage')) {
      throw new AppError('forbidden', 'only org owners and admins manage provider connections');
    }
  };
}

export function actorOf(request: FastifyRequest): Actor {
  const p = principalOf(request);
  return p.kind === 'api_key'
    ? { type: 'api_key', id: p.keyId ?? null }
    : { type: 'user', id: p.userId ?? null };
}
