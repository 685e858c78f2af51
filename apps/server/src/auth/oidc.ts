import { AppError } from '@toktra/core';
import { type Database, findInStores, type UserRole } from '@toktra/db';
import * as client from 'openid-client';
import { type Actor, appendAudit } from '../audit/service.js';
import type { AppContext } from '../context.js';
import { decryptSecret, encryptSecret } from '../secrets/service.js';

export interface OidcConfigInput {
  issuerUrl: string;
  clientId: string;
  clientSecret: string;
  /** Email domains whose users may sign in (and be created on first sign-in) through this issuer. */
  emailDomains: string[];
  defaultRole?: Exclude<UserRole, 'owner'>;
}

const secretContext = (orgId: string) => `oidc_config:${orgId}`;

/** Sets (or replaces) the org's OIDC issuer; the client secret is stored encrypted. */
export async function setOidcConfig(
  ctx: Pick<AppContext, 'db' | 'keyring'>,
  orgId: string,
  actor: Actor,
  input: OidcConfigInput,
): Promise<void> {
  const row = {
    org_id: orgId,
    issuer_url: input.issuerUrl,
    client_id: input.clientId,
    client_secret_enc: encryptSecret(ctx, input.clientSecret, secretContext(orgId)),
    email_domains: input.emailDomains.map((d) => d.toLowerCase()),
    default_role: input.defaultRole ?? 'employee',
  };
  await ctx.db.withTenant(orgId, async (tx) => {
    await tx.db
      .insertInto('oidc_configs')
      .values(row)
      .onConflict((oc) => oc.column('org_id').doUpdateSet({ ...row, updated_at: new Date() }))
      .execute();
    await appendAudit(tx, orgId, actor, {
      action: 'oidc_config.set',
      targetType: 'org',
      targetId: orgId,
      details: { issuer_url: input.issuerUrl, client_id: input.clientId, email_domains: row.email_domains },
    });
  });
}

/** The org's issuer settings without the secret, or null when single sign-on is not set up. */
export async function getOidcConfig(db: Database, orgId: string) {
  const row = await db.withTenant(orgId, ({ db: trx }) =>
    trx.selectFrom('oidc_configs').selectAll().where('org_id', '=', orgId).executeTakeFirst(),
  );
  if (!row) return null;
  return {
    issuer_url: row.issuer_url,
    client_id: row.client_id,
    email_domains: row.email_domains,
    default_role: row.default_role,
    has_client_secret: row.client_secret_enc.length > 0,
  };
}

export interface ResolvedOidc {
  orgId: string;
  config: client.Configuration;
  emailDomains: string[];
  defaultRole: UserRole;
}

const discovered = new Map<string, { at: number; config: client.Configuration }>();
const DISCOVERY_TTL_MS = 10 * 60 * 1000;

/**
 * Finds the org whose issuer serves this email (by domain) or the given org, and discovers the
 * issuer's metadata (cached for a few minutes). Plain-http issuers are allowed only on loopback.
 */
export async function resolveOidc(
  ctx: Pick<AppContext, 'db' | 'keyring'>,
  by: { email?: string | undefined; orgId?: string | undefined },
): Promise<ResolvedOidc> {
  const domain = by.email?.split('@')[1]?.toLowerCase();
  const row = await findInStores(ctx.db, ({ db }) => {
    let query = db.selectFrom('oidc_configs').selectAll();
    if (by.orgId) query = query.where('org_id', '=', by.orgId);
    else if (domain) query = query.where((eb) => eb(eb.val(domain), '=', eb.fn.any('email_domains')));
    else throw new AppError('validation_failed', 'give an email or an org_id');
    return query.executeTakeFirst();
  });
  if (!row) throw new AppError('not_found', 'single sign-on is not configured for this organization');
  const cacheKey = `${row.org_id}|${row.issuer_url}|${row.client_id}|${row.updated_at.getTime()}`;
  const cached = discovered.get(cacheKey);
  let config = cached && Date.now() - cached.at < DISCOVERY_TTL_MS ? cached.config : undefined;
  if (!config) {
    const issuer = new URL(row.issuer_url);
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
    const secret = decryptSecret(ctx, row.client_secret_enc, secretContext(row.org_id));
    try {
      config = await client.discovery(issuer, row.client_id, secret, undefined, {
        ...(loopback && issuer.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : {}),
        timeout: 10,
      });
    } catch (error) {
      throw new AppError(
        'upstream_failed',
        `could not reach the identity provider at ${issuer.origin}`,
        {},
        {
          cause: error,
        },
      );
    }
    discovered.set(cacheKey, { at: Date.now(), config });
  }
  return { orgId: row.org_id, config, emailDomains: row.email_domains, defaultRole: row.default_role };
}

/** Finds the org user behind verified OIDC claims, creating them on first sign-in if allowed. */
export async function userForOidcClaims(
  db: Database,
  oidc: ResolvedOidc,
  claims: { email?: unknown; email_verified?: unknown; name?: unknown; sub: string },
): Promise<string> {
  const email = typeof claims.email === 'string' ? claims.email.toLowerCase() : undefined;
  if (!email || claims.email_verified === false) {
    throw new AppError('forbidden', 'the identity provider did not return a verified email');
  }
  return db.withTenant(oidc.orgId, async (tx) => {
    const existing = await tx.db
      .selectFrom('users')
      .select('id')
      .where('org_id', '=', oidc.orgId)
      .where((eb) => eb(eb.fn('lower', ['email']), '=', email))
      .executeTakeFirst();
    if (existing) return existing.id;
    const domain = email.split('@')[1] ?? '';
    if (!oidc.emailDomains.includes(domain)) {
      throw new AppError('forbidden', `no account for ${email} in this organization`);
    }
    const created = await tx.db
      .insertInto('users')
      .values({
        org_id: oidc.orgId,
        email,
        name: typeof claims.name === 'string' && claims.name ? claims.name : email.split('@')[0] || email,
        role: oidc.defaultRole,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendAudit(
      tx,
      oidc.orgId,
      { type: 'system', id: null },
      {
        action: 'user.create',
        targetType: 'user',
        targetId: created.id,
        details: { via: 'oidc', email },
      },
    );
    return created.id;
  });
}
