import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';
import { registerOidcRoutes } from './oidc.js';
import { registerOidcConfigRoutes } from './oidc-config.js';
import { registerSignIn } from './sign-in.js';
import { registerSignOut } from './sign-out.js';

/** Dashboard sign-in: password, OIDC single sign-on, sign-out. */
export function registerAuthRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerSignIn(app, ctx);
  registerSignOut(app, ctx);
  registerOidcRoutes(app, ctx);
  registerOidcConfigRoutes(app, ctx);
}
