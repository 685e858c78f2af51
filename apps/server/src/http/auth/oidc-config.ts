import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getOidcConfig, setOidcConfig } from '../../auth/oidc.js';
import { auth } from '../../auth/route-auth.js';
import type { AppContext } from '../../context.js';
import { actorOf, principalOf } from '../auth.js';

const ConfigBody = z.object({
  issuer_url: z.url().max(500),
  client_id: z.string().min(1).max(300),
  client_secret: z.string().min(1).max(2000),
  email_domains: z
    .array(
      z
        .string()
        .trim()
        .toLowerCase()
        .regex(/^[a-z0-9.-]+\.[a-z]{2,}$/),
    )
    .min(1)
    .max(50),
  default_role: z.enum(['admin', 'manager', 'employee', 'auditor']).default('employee'),
});

const ConfigView = z.object({
  issuer_url: z.string(),
  client_id: z.string(),
  email_domains: z.array(z.string()),
  default_role: z.string(),
  has_client_secret: z.boolean(),
});

/** `GET|PUT /auth/oidc/config`: the org's single sign-on issuer (the secret is write-only). */
export function registerOidcConfigRoutes(app: FastifyInstance, ctx: AppContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get(
    '/auth/oidc/config',
    {
      schema: { tags: ['auth'], summary: "The org's OIDC issuer", response: { 200: ConfigView.nullable() } },
      config: { auth: auth.can('settings:manage') },
    },
    async (request) => getOidcConfig(ctx.db, principalOf(request).orgId),
  );
  typed.put(
    '/auth/oidc/config',
    {
      schema: {
        tags: ['auth'],
        summary: 'Set the org’s OIDC issuer',
        body: ConfigBody,
        response: { 200: ConfigView },
      },
      config: { auth: auth.can('settings:manage') },
    },
    async (request) => {
      const principal = principalOf(request);
      const body = request.body;
      await setOidcConfig(ctx, principal.orgId, actorOf(request), {
        issuerUrl: body.issuer_url,
        clientId: body.client_id,
        clientSecret: body.client_secret,
        emailDomains: body.email_domains,
        defaultRole: body.default_role,
      });
      return (await getOidcConfig(ctx.db, principal.orgId)) as z.infer<typeof ConfigView>;
    },
  );
}
