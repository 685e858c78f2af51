import { AppError } from '@toktra/core';
import type { ApiKeyScope } from '@toktra/db';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Permission, permissionsOf, reachOf } from './permissions.js';

/**
 * How a route authenticates and what it requires: declared once per route as
 * `config: { auth: … }` and enforced by ONE `onRequest` hook (`installRouteAuth`), so it runs
 * before the body is parsed or validated. A route without a declaration refuses to register.
 *
 * - `public`: no credentials (sign-in, health, signed links, Slack signatures, OIDC callbacks);
 *   `why` names what protects it instead.
 * - `principal`: an API key or a dashboard session. `permission` (if any) must be held;
 *   `via` restricts the credential; `keyScopes` replaces the permission check for API keys (any
 *   of them, `admin` always counts); `reach: 'org'` refuses managers and employees, for routes
 *   whose answer is org-wide by nature. Routes without `reach: 'org'` must narrow what they read
 *   with the request's `Scope` (`scopeOf`).
 * - `extension`: a browser-extension token (`tkext_…`).
 * - `device`: the mTLS device certificate of the ingest server.
 */
export type RouteAuth =
  | { kind: 'public'; why: string }
  | {
      kind: 'principal';
      permission?: Permission;
      via?: 'session' | 'api_key';
      keyScopes?: ApiKeyScope[];
      reach?: 'org';
      /** The preflight hot path remembers verified keys for a few seconds. */
      cachedKey?: boolean;
    }
  | { kind: 'extension' }
  | { kind: 'device' };

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth;
  }
}

type PrincipalAuth = Extract<RouteAuth, { kind: 'principal' }>;

/** Constructors for route declarations: `config: { auth: auth.can('usage:read') }`. */
export const auth = {
  public: (why: string): RouteAuth => ({ kind: 'public', why }),
  /** API key or session holding `permission`. */
  can: (permission: Permission, options: Omit<PrincipalAuth, 'kind' | 'permission'> = {}): RouteAuth => ({
    kind: 'principal',
    permission,
    ...options,
  }),
  /** Like `can`, but only principals whose reach is the whole org. */
  orgWide: (permission: Permission): RouteAuth => ({ kind: 'principal', permission, reach: 'org' }),
  /** An API key with one of these scopes (`admin` always counts); sessions are refused. */
  apiKey: (...keyScopes: ApiKeyScope[]): RouteAuth => ({ kind: 'principal', via: 'api_key', keyScopes }),
  /** Any signed-in person, whatever their role; the service narrows by the request's Scope. */
  session: (permission?: Permission): RouteAuth =>
    permission ? { kind: 'principal', via: 'session', permission } : { kind: 'principal', via: 'session' },
  /** Any authenticated caller (session or API key); the service decides per principal. */
  signedIn: (): RouteAuth => ({ kind: 'principal' }),
  extension: (): RouteAuth => ({ kind: 'extension' }),
  device: (): RouteAuth => ({ kind: 'device' }),
} as const;

/** Route URL prefixes registered by third-party plugins we do not declare ourselves. */
const PLUGIN_PUBLIC_PREFIXES = ['/docs'];

export interface DeclaredRoute {
  method: string;
  url: string;
  auth: RouteAuth;
}

const declaredRoutes = new WeakMap<FastifyInstance, DeclaredRoute[]>();

/** Every route registered on `app` with its declaration (what the route-walking test walks). */
export function declaredRoutesOf(app: FastifyInstance): DeclaredRoute[] {
  return declaredRoutes.get(app) ?? [];
}

export interface Authenticators {
  principal: (request: FastifyRequest, declared: PrincipalAuth) => Promise<void>;
  extension?: (request: FastifyRequest) => Promise<void>;
  /** Whether the request came with a verified device certificate. */
  device?: (request: FastifyRequest) => boolean;
}

/**
 * Installs the two hooks that make the declaration unforgettable: `onRoute` refuses, at start-up,
 * any route without `config.auth`; `onRequest` authenticates and authorizes every request from
 * that declaration before Fastify parses its body. Call it before registering any route.
 */
export function installRouteAuth(app: FastifyInstance, authenticators: Authenticators): void {
  const routes: DeclaredRoute[] = [];
  declaredRoutes.set(app, routes);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!route.config?.auth && PLUGIN_PUBLIC_PREFIXES.some((p) => route.url.startsWith(p))) {
      route.config = { ...route.config, auth: { kind: 'public', why: 'API documentation' } };
    }
    const declared = route.config?.auth;
    if (!declared) {
      throw new Error(`route ${methods.join(',')} ${route.url} declares no auth (config: { auth: … })`);
    }
    for (const method of methods) routes.push({ method, url: route.url, auth: declared });
  });
  app.addHook('onRequest', async (request) => {
    const declared = request.routeOptions.config?.auth;
    if (!declared) return; // Not a route (404): nothing to protect.
    switch (declared.kind) {
      case 'public':
        return;
      case 'principal':
        return authenticators.principal(request, declared);
      case 'extension':
        if (!authenticators.extension) throw new AppError('unauthorized', 'not available here');
        return authenticators.extension(request);
      case 'device':
        if (!authenticators.device?.(request)) {
          throw new AppError('unauthorized', 'a device certificate is required');
        }
        return;
    }
  });
}

/** Whether an authenticated principal satisfies a `principal` declaration; throws 403 if not. */
export function authorize(principal: Parameters<typeof permissionsOf>[0], declared: PrincipalAuth): void {
  if (declared.via === 'api_key' && principal.kind !== 'api_key') {
    throw new AppError('forbidden', 'this endpoint takes an API key ("Authorization: Bearer <key>")');
  }
  if (declared.via === 'session' && principal.kind !== 'user') {
    throw new AppError('forbidden', 'this endpoint takes a signed-in session, not an API key');
  }
  if (principal.kind === 'api_key' && declared.keyScopes) {
    const ok = principal.scopes.some((s) => s === 'admin' || declared.keyScopes?.includes(s));
    if (!ok) {
      throw new AppError(
        'forbidden',
        `this API key needs one of the scopes: ${declared.keyScopes.join(', ')}`,
      );
    }
  } else if (declared.permission && !permissionsOf(principal).includes(declared.permission)) {
    throw new AppError(
      'forbidden',
      principal.kind === 'api_key'
        ? `this API key lacks a scope that grants "${declared.permission}"`
        : `your role (${principal.role}) may not do "${declared.permission}"`,
    );
  }
  if (declared.reach === 'org' && reachOf(principal) !== 'org') {
    throw new AppError('forbidden', 'this shows the whole organization; your role sees only its own reach');
  }
}
