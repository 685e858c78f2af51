import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '@toktra/core';
import type { Database } from '@toktra/db';
import { type Actor, appendAudit } from '../../audit/service.js';
import type { AppContext } from '../../context.js';
import { emitEvent } from '../../events/outbox.js';
import { decryptSecret, encryptSecret } from '../../secrets/service.js';
import { mapGithubEvent } from './map-event.js';

const secretContext = (orgId: string) => `github_webhook:${orgId}`;

/** Sets (or generates) the org's GitHub webhook secret; returns it so the admin can paste it into GitHub. */
export async function setGithubWebhookSecret(
  ctx: AppContext,
  orgId: string,
  actor: Actor,
  secret?: string,
): Promise<{ secret: string }> {
  const value = secret ?? randomBytes(32).toString('hex');
  const encrypted = encryptSecret(ctx, value, secretContext(orgId));
  await ctx.db.withTenant(orgId, async (tx) => {
    await tx.db
      .insertInto('github_integrations')
      .values({ org_id: orgId, webhook_secret: encrypted })
      .onConflict((oc) =>
        oc.column('org_id').doUpdateSet({ webhook_secret: encrypted, updated_at: new Date() }),
      )
      .execute();
    await appendAudit(tx, orgId, actor, {
      action: 'github.webhook_secret.set',
      targetType: 'org',
      targetId: orgId,
    });
  });
  return { secret: value };
}

/** Constant-time check of `X-Hub-Signature-256: sha256=<hex>` over the raw body. */
export function verifyGithubSignature(secret: string, rawBody: Buffer, header: string | undefined): boolean {
  if (!header?.startsWith('sha256=')) return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`);
  const presented = Buffer.from(header);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

export interface GithubDelivery {
  event: string;
  deliveryId: string | null;
  signature: string | undefined;
  rawBody: Buffer;
}

export type GithubOutcome = { status: 'stored'; risk_event_id: string } | { status: 'ignored' | 'duplicate' };

/**
 * Handles one delivery: the signature is checked against the org's secret before anything is
 * parsed or stored (a bad or missing signature, or an org without a secret, is 401 with no side
 * effect). Mapped events become risk events attributed through the login mappings; a redelivery
 * (same `X-GitHub-Delivery`) stores nothing new.
 */
export async function receiveGithubDelivery(
  ctx: AppContext,
  orgId: string,
  delivery: GithubDelivery,
): Promise<GithubOutcome> {
  const stored = await ctx.db.forOrg(orgId, ({ db }) =>
    db
      .selectFrom('github_integrations')
      .select('webhook_secret')
      .where('org_id', '=', orgId)
      .executeTakeFirst(),
  );
  const secret = stored ? decryptSecret(ctx, stored.webhook_secret, secretContext(orgId)) : undefined;
  if (!secret || !verifyGithubSignature(secret, delivery.rawBody, delivery.signature)) {
    throw new AppError('unauthorized', 'X-Hub-Signature-256 does not match this org’s webhook secret');
  }
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(delivery.rawBody.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new AppError(
      'bad_request',
      'the body is not JSON (set the webhook content type to application/json)',
    );
  }
  if (!payload || typeof payload !== 'object')
    throw new AppError('bad_request', 'the body is not a JSON object');
  const risk = mapGithubEvent(delivery.event, payload);
  if (!risk) return { status: 'ignored' };
  return ctx.db.withTenant(orgId, async (tx) => {
    const login = risk.login?.toLowerCase() ?? null;
    const person = login
      ? await tx.db
          .selectFrom('github_user_mappings as m')
          .innerJoin('users as u', (j) =>
            j.onRef('u.org_id', '=', 'm.org_id').onRef('u.id', '=', 'm.user_id'),
          )
          .select(['u.id', 'u.department_id'])
          .where('m.org_id', '=', orgId)
          .where('m.login', '=', login)
          .executeTakeFirst()
      : undefined;
    const row = await tx.db
      .insertInto('risk_events')
      .values({
        org_id: orgId,
        source: 'github',
        kind: risk.kind,
        level: risk.level,
        occurred_at: new Date(),
        user_id: person?.id ?? null,
        department_id: person?.department_id ?? null,
        external_login: login,
        repository: risk.repository,
        delivery_id: delivery.deliveryId,
        details: JSON.stringify(risk.details),
      })
      .onConflict((oc) => oc.columns(['org_id', 'source', 'delivery_id']).doNothing())
      .returning(['id', 'kind', 'level', 'occurred_at', 'user_id', 'department_id', 'repository'])
      .executeTakeFirst();
    if (!row) return { status: 'duplicate' as const };
    await emitEvent(ctx, tx, orgId, 'risk_event.received', {
      ...row,
      occurred_at: row.occurred_at.toISOString(),
    });
    return { status: 'stored' as const, risk_event_id: row.id };
  });
}

export interface LoginMapping {
  login: string;
  user_id: string;
}

/** Upserts login → user mappings (logins are case-insensitive on GitHub; stored lower-case). */
export async function putGithubUserMappings(
  db: Database,
  orgId: string,
  actor: Actor,
  mappings: LoginMapping[],
): Promise<LoginMapping[]> {
  return db.withTenant(orgId, async (tx) => {
    for (const [i, m] of mappings.entries()) {
      const user = await tx.db
        .selectFrom('users')
        .select('id')
        .where('org_id', '=', orgId)
        .where('id', '=', m.user_id)
        .executeTakeFirst();
      if (!user) throw new AppError('validation_failed', `mappings.${i}.user_id: no such user in this org`);
      await tx.db
        .insertInto('github_user_mappings')
        .values({ org_id: orgId, login: m.login.toLowerCase(), user_id: m.user_id })
        .onConflict((oc) => oc.columns(['org_id', 'login']).doUpdateSet({ user_id: m.user_id }))
        .execute();
    }
    await appendAudit(tx, orgId, actor, {
      action: 'github.user_mappings.put',
      targetType: 'org',
      targetId: orgId,
      details: { mappings: mappings.map((m) => ({ login: m.login.toLowerCase(), user_id: m.user_id })) },
    });
    return listMappingsIn(tx.db, orgId);
  });
}

async function listMappingsIn(
  trx: Parameters<Parameters<Database['withTenant']>[1]>[0]['db'],
  orgId: string,
) {
  return trx
    .selectFrom('github_user_mappings')
    .select(['login', 'user_id'])
    .where('org_id', '=', orgId)
    .orderBy('login')
    .execute();
}

export async function listGithubUserMappings(db: Database, orgId: string): Promise<LoginMapping[]> {
  return db.withTenant(orgId, ({ db: trx }) => listMappingsIn(trx, orgId));
}

export async function deleteGithubUserMapping(
  db: Database,
  orgId: string,
  actor: Actor,
  login: string,
): Promise<void> {
  await db.withTenant(orgId, async (tx) => {
    const gone = await tx.db
      .deleteFrom('github_user_mappings')
      .where('org_id', '=', orgId)
      .where('login', '=', login.toLowerCase())
      .returning('login')
      .executeTakeFirst();
    if (!gone) throw new AppError('not_found', `no mapping for GitHub login ${login}`);
    await appendAudit(tx, orgId, actor, {
      action: 'github.user_mappings.delete',
      targetType: 'github_login',
      targetId: login.toLowerCase(),
    });
  });
}
