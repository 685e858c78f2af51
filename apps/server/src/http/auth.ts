import { timingSafeEqual } from 'node:crypto';
import { AppError } from '@toktra/core';
import type { FastifyRequest } from 'fastify';
import type { ApiKeyPrincipal } from '../api-keys/service.js';
import type { Actor } from '../audit/service.js';
import type { Principal } from '../auth/permissions.js';
import { parseCookies, principalFromApiKey, principalFromSession } from '../auth/principal.js';
import { authorize, type RouteAuth } from '../auth/route-auth.js';
import { type Scope, scopeOf } from '../auth/scope.js';
import { CSRF_HEADER, csrfTokenFor, SESSION_COOKIE } from '../auth/sessions.js';
import type { AppContext } from '../context.js';
import { principalForPreflight } from '../preflight/api-key-cache.js';

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
 * The principal authenticator behind `installRouteAuth`: API key (the preflight route may use the
 * short-lived verified-key cache) or session cookie, then the route's declaration is checked.
 */
export function principalAuthenticator(ctx: AppContext) {
  return async (request: FastifyRequest, declared: Extract<RouteAuth, { kind: 'principal' }>) => {
    let principal: Principal;
    const bearer = declared.cachedKey ? bearerOf(request) : undefined;
    if (bearer) {
      principal = await principalForPreflight(ctx, bearer);
      request.apiKey = { orgId: principal.orgId, keyId: principal.keyId ?? '', scopes: principal.scopes };
      request.principal = principal;
    } else {
      principal = await authenticate(ctx, request);
    }
    authorize(principal, declared);
  };
}

/** The authenticated principal of a request that passed its route's auth declaration. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('unauthorized', 'not authenticated');
  return request.principal;
}

/** The authenticated org of a request that passed its route's auth declaration. */
export function orgOf(request: FastifyRequest): string {
  const orgId = request.principal?.orgId ?? request.apiKey?.orgId;
  if (!orgId) throw new AppError('unauthorized', 'not authenticated');
  return orgId;
}

/** The Scope (org + reach) of an authenticated request: what services that read people's data take. */
export function requestScope(request: FastifyRequest): Scope {
  return scopeOf(principalOf(request));
}

/** The audit actor of an authenticated request. */
export function actorOf(request: FastifyRequest): Actor {
  const principal = principalOf(request);
  return principal.kind === 'api_key'
    ? { type: 'api_key', id: principal.keyId ?? null }
    : { type: 'user', id: principal.userId ?? null };
}
