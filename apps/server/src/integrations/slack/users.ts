import type { UserRole } from '@toktra/db';
import type { AppContext } from '../../context.js';
import { slackClient, slackErrorCode } from './client.js';
import type { ResolvedInstallation } from './installations.js';

/** Mappings older than this are looked up again (emails change, people leave). */
const CACHE_TTL_MS = 24 * 3_600_000;
const NOT_FOUND = new Set(['users_not_found', 'user_not_found']);

export interface ToktraUser {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  department_id: string | null;
}

async function userByEmail(ctx: AppContext, orgId: string, email: string): Promise<ToktraUser | undefined> {
  return ctx.db.withTenant(orgId, ({ db }) =>
    db
      .selectFrom('users')
      .select(['id', 'email', 'name', 'role', 'department_id'])
      .where('org_id', '=', orgId)
      .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
      .executeTakeFirst(),
  );
}

async function cached(
  ctx: AppContext,
  inst: ResolvedInstallation,
  where: { slackUserId?: string; email?: string },
) {
  return ctx.db.withTenant(inst.orgId, ({ db }) => {
    let q = db
      .selectFrom('slack_user_mappings')
      .select(['slack_user_id', 'email', 'refreshed_at'])
      .where('org_id', '=', inst.orgId)
      .where('team_id', '=', inst.teamId)
      .where('refreshed_at', '>', new Date(Date.now() - CACHE_TTL_MS));
    if (where.slackUserId) q = q.where('slack_user_id', '=', where.slackUserId);
    if (where.email) q = q.where('email', '=', where.email.toLowerCase());
    return q.executeTakeFirst();
  });
}

async function remember(
  ctx: AppContext,
  inst: ResolvedInstallation,
  slackUserId: string,
  email: string,
  userId: string | null,
): Promise<void> {
  await ctx.db.withTenant(inst.orgId, ({ db }) =>
    db
      .insertInto('slack_user_mappings')
      .values({
        org_id: inst.orgId,
        team_id: inst.teamId,
        slack_user_id: slackUserId,
        email: email.toLowerCase(),
        user_id: userId,
      })
      .onConflict((oc) =>
        oc
          .columns(['org_id', 'team_id', 'slack_user_id'])
          .doUpdateSet({ email: email.toLowerCase(), user_id: userId, refreshed_at: new Date() }),
      )
      .execute(),
  );
}

/**
 * The Toktra user behind a Slack user (matched by email), or undefined when the Slack account has
 * no email or no Toktra user has it. The Slack side (`users.info`) is cached per workspace.
 */
export async function toktraUserOf(
  ctx: AppContext,
  inst: ResolvedInstallation,
  slackUserId: string,
): Promise<ToktraUser | undefined> {
  let email = (await cached(ctx, inst, { slackUserId }))?.email;
  if (!email) {
    const info = await slackClient(ctx, inst.botToken)
      .users.info({ user: slackUserId })
      .catch(() => undefined);
    email = info?.user?.profile?.email?.toLowerCase();
    if (!email) return undefined;
    const user = await userByEmail(ctx, inst.orgId, email);
    await remember(ctx, inst, slackUserId, email, user?.id ?? null);
    return user;
  }
  return userByEmail(ctx, inst.orgId, email);
}

/** The Slack user id for an email in this workspace (`users.lookupByEmail`, cached), or undefined. */
export async function slackUserIdFor(
  ctx: AppContext,
  inst: ResolvedInstallation,
  email: string,
): Promise<string | undefined> {
  const hit = await cached(ctx, inst, { email });
  if (hit) return hit.slack_user_id;
  try {
    const found = await slackClient(ctx, inst.botToken).users.lookupByEmail({ email });
    const id = found.user?.id;
    if (!id) return undefined;
    const user = await userByEmail(ctx, inst.orgId, email);
    await remember(ctx, inst, id, email, user?.id ?? null);
    return id;
  } catch (error) {
    if (NOT_FOUND.has(slackErrorCode(error))) return undefined;
    throw error;
  }
}
