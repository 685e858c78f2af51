import { timingSafeEqual } from 'node:crypto';
import { AppError } from '@toktra/core';
import type { ApiKeyScope } from '@toktra/db';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKeyPrincipal } from '../api-keys/service.js';
import { can, type Permission, type Principal } from '../auth/permissions.js';
import { parseCookies, principalFromApiKey, principalFromSession } from '../auth/principal.js';
import { CSRF_HEADER, csrfTokenFor, SESSION_COOKIE } from '../auth/sessions.js';
import type { AppContext } from '../context.js';

declare module 'fastify' {
  interface FastifyRequest {
    apiKey?: ApiKeyPrincipal;
    principal?: Principal;
    /** The session cookie's secret, when the request was authenticated by one. */
    sessionToken?: string;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const [scheme, token] = header.split(' ');
  if (scheme?.toLowerCase() !== 'bearer' || !token) {
    throw new AppError('unauthorized', 'send an API key as "Authorization: Bearer <key>"');
  }
  return token;
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Authenticates by API key or session cookie (CSRF-checked on unsafe methods) into one principal. */
export async function authenticate(ctx: AppContext, request: FastifyRequest): Promise<Principal> {
  const bearer = bearerOf(request);
  if (bearer) {
    const principal = await principalFromApiKey(ctx.db, bearer);
    request.apiKey = { orgId: principal.orgId, keyId: principal.keyId ?? '', scopes: principal.scopes };
    request.principal = principal;
    return principal;
  }
  const token = parseCookies(request.headers.cookie).get(SESSION_COOKIE);
  if (!token) {
    throw new AppError('unauthorized', 'sign in, or send an API key as "Authorization: Bearer <key>"');
  }
  const principal = await principalFromSession(ctx.db, token);
  if (!SAFE_METHODS.has(request.method)) {
    const presented = request.headers[CSRF_HEADER];
    if (typeof presented !== 'string' || !sameSecret(presented, csrfTokenFor(token))) {
      throw new AppError('forbidden', `missing or wrong ${CSRF_HEADER} header`);
    }
  }
  request.principal = principal;
  request.sessionToken = token;
  return principal;
}

/**
 * A preHandler that accepts an API key or a dashboard session and requires `permission`.
 * Handlers then narrow what they read with `scopeUsageFilter` / `can(principal, action, resource)`.
 */
export function requireAuth(ctx: AppContext, permission: Permission) {
  return async (request: FastifyRequest, _reply?: FastifyReply): Promise<void> => {
    const principal = await authenticate(ctx, request);
    if (!can(principal, permission)) {
      throw new AppError(
        'forbidden',
        principal.kind === 'api_key'
          ? `this API key lacks a scope that grants "${permission}"`
          : `your role (${principal.role}) may not do "${permission}"`,
      );
    }
  };
}

/** A preHandler that requires `Authorization: Bearer <api key>` with the given scope. */
export function requireApiKey(ctx: AppContext, scope: ApiKeyScope) {
  return async (request: FastifyRequest): Promise<void> => {
    if (!request.headers.authorization) {
      throw new AppError('unauthorized', 'send an API key as "Authorization: Bearer <key>"');
    }
    const principal = await authenticate(ctx, request);
    if (!principal.scopes.includes(scope) && !principal.scopes.includes('admin')) {
      throw new AppError('forbidden', `this API key lacks the "${scope}" scope`);
    }
  };
}

/** The authenticated principal of a request that passed `requireAuth` or `requireApiKey`. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('unauthorized', 'not authenticated');
  return request.principal;
}

/** The authenticated org of a request that passed `requireAuth` or `requireApiKey`. */
export function orgOf(request: FastifyRequest): string {
  const orgId = request.principal?.orgId ?? request.apiKey?.orgId;
  if (!orgId) throw new AppError('unauthorized', 'not authenticated');
  return orgId;
}
