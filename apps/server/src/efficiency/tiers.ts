import {
  AppError,
  isModelAllowedForTier,
  type ModelTier,
  requiredTierForModel,
  tierForScore,
} from '@toktra/core';
import type { Actor } from '../audit/service.js';
import { appendAudit } from '../audit/service.js';
import type { AppContext } from '../context.js';
import { emitEvent } from '../events/outbox.js';
import { assertUser } from '../users/service.js';
import { scoreUsersInTx } from './service.js';

const TTL_MS = 60_000;

/** Effective tiers per person, for a minute; a `tier.changed` event forgets an org's (events/caches.ts). */
export class TierCache {
  private readonly entries = new Map<string, { tier: ModelTier; at: number }>();

  get(key: string): ModelTier | undefined {
    const hit = this.entries.get(key);
    return hit && Date.now() - hit.at < TTL_MS ? hit.tier : undefined;
  }

  set(key: string, tier: ModelTier): void {
    if (this.entries.size > 100_000) this.entries.clear();
    this.entries.set(key, { tier, at: Date.now() });
  }

  forgetOrg(orgId: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(`${orgId}:`)) this.entries.delete(key);
  }
}

/**
 * A person's effective model-access tier: the manual override when one exists, else the tier
 * their current efficiency score earns. Cached per process for a minute, so the preflight's hot
 * path does not touch the database; an override change clears the org's entries in every process.
 */
export async function getUserTier(ctx: AppContext, orgId: string, userId: string): Promise<ModelTier> {
  const key = `${orgId}:${userId}`;
  const hit = ctx.caches.tiers.get(key);
  if (hit) return hit;
  const tier = await ctx.db.withTenant(orgId, async (tx) => {
    const override = await tx.db
      .selectFrom('tier_overrides')
      .select('tier')
      .where('org_id', '=', orgId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (override) return override.tier;
    const stored = await tx.db
      .selectFrom('efficiency_scores')
      .select('score')
      .where('org_id', '=', orgId)
      .where('subject_type', '=', 'user')
      .where('subject_id', '=', userId)
      .where('window_days', '=', 30)
      .orderBy('day', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (stored) return tierForScore(stored.score);
    // No nightly score yet (a new org or person): score this one person now.
    const set = await scoreUsersInTx(tx, orgId, { userIds: [userId] });
    return set.users[0]?.tier ?? tierForScore(null);
  });
  ctx.caches.tiers.set(key, tier);
  return tier;
}

/** Sets (tier) or clears (null) a manual tier override; audited in the same transaction. */
export async function setTierOverride(
  ctx: AppContext,
  orgId: string,
  actor: Actor,
  userId: string,
  input: { tier: ModelTier | null; reason?: string | undefined },
): Promise<void> {
  await ctx.db.withTenant(orgId, async (tx) => {
    await assertUser(tx, orgId, userId);
    const before = await tx.db
      .selectFrom('tier_overrides')
      .select('tier')
      .where('org_id', '=', orgId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (input.tier === null) {
      if (!before) throw new AppError('not_found', `user ${userId} has no tier override`);
      await tx.db
        .deleteFrom('tier_overrides')
        .where('org_id', '=', orgId)
        .where('user_id', '=', userId)
        .execute();
    } else {
      const row = {
        tier: input.tier,
        reason: input.reason ?? null,
        set_by: actor.id ? `${actor.type}:${actor.id}` : actor.type,
        created_at: new Date(),
      };
      await tx.db
        .insertInto('tier_overrides')
        .values({ org_id: orgId, user_id: userId, ...row })
        .onConflict((oc) => oc.columns(['org_id', 'user_id']).doUpdateSet(row))
        .execute();
    }
    await appendAudit(tx, orgId, actor, {
      action: input.tier === null ? 'tier_override.clear' : 'tier_override.set',
      targetType: 'user',
      targetId: userId,
      details: { from: before?.tier ?? null, to: input.tier, reason: input.reason ?? null },
    });
    await emitEvent(ctx, tx, orgId, 'tier.changed', { userId });
  });
}

/**
 * The preflight's tier check: null when the person's tier covers the model, else the reason for
 * a denial. A request without a model (SNI-only traffic) is never denied by tier.
 */
export async function checkModelTier(
  ctx: AppContext,
  orgId: string,
  userId: string,
  model: string | null | undefined,
): Promise<{ reason: string } | null> {
  if (!model) return null;
  const tier = await getUserTier(ctx, orgId, userId);
  if (isModelAllowedForTier(model, tier)) return null;
  return {
    reason: `model ${model} needs the ${requiredTierForModel(model)} tier; this user's tier is ${tier}`,
  };
}
