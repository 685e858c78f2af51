import { AppError } from '@toktra/core';
import { findInStores, type Tx } from '@toktra/db';
import { type Actor, appendAudit } from '../../audit/service.js';
import type { AppContext } from '../../context.js';
import { decryptSecret, encryptSecret } from '../../secrets/service.js';
import { slackClient, slackErrorCode } from './client.js';

export interface InstallationView {
  id: string;
  team_id: string;
  team_name: string;
  bot_user_id: string | null;
  scopes: string[];
  installed_by: string | null;
  installed_at: string;
  uninstalled_at: string | null;
}

/** A live installation with its decrypted token: what the Bolt authorizer and senders use. */
export interface ResolvedInstallation {
  orgId: string;
  installationId: string;
  teamId: string;
  botToken: string;
  botUserId: string | null;
}

const tokenContext = (id: string) => `slack_installation:${id}`;
export const actorText = (actor: Actor) => `${actor.type}:${actor.id ?? ''}`;

/** Registers the single-workspace `SLACK_BOT_TOKEN` (no OAuth) for an org, via `auth.test`. */
export async function registerEnvBotToken(
  ctx: AppContext,
  orgId: string,
  actor: Actor,
): Promise<InstallationView> {
  const token = ctx.config.slack.botToken;
  if (!token) throw new AppError('validation_failed', 'SLACK_BOT_TOKEN is not set');
  const auth = await slackClient(ctx, token)
    .auth.test()
    .catch((error: unknown) => {
      throw new AppError('validation_failed', `SLACK_BOT_TOKEN was refused: ${slackErrorCode(error)}`);
    });
  if (!auth.team_id) throw new AppError('validation_failed', 'auth.test returned no team');
  return saveInstallation(ctx, orgId, actor, {
    teamId: auth.team_id,
    teamName: auth.team ?? '',
    appId: null,
    botToken: token,
    botUserId: auth.user_id ?? null,
    scopes: '',
  });
}

interface NewInstallation {
  teamId: string;
  teamName: string;
  appId: string | null;
  botToken: string;
  botUserId: string | null;
  scopes: string;
}

export async function saveInstallation(
  ctx: AppContext,
  orgId: string,
  actor: Actor,
  input: NewInstallation,
): Promise<InstallationView> {
  const elsewhere = await findInStores(ctx.db, ({ db }) =>
    db
      .selectFrom('slack_installations')
      .select('org_id')
      .where('team_id', '=', input.teamId)
      .where('uninstalled_at', 'is', null)
      .where('org_id', '!=', orgId)
      .executeTakeFirst(),
  );
  if (elsewhere)
    throw new AppError('conflict', `Slack workspace ${input.teamId} is connected to another organization`);
  return ctx.db.withTenant(orgId, async (tx) => {
    // Reinstalling a workspace replaces its token in place (channels stay configured).
    const existing = await tx.db
      .selectFrom('slack_installations')
      .select('id')
      .where('org_id', '=', orgId)
      .where('team_id', '=', input.teamId)
      .orderBy('installed_at', 'desc')
      .executeTakeFirst();
    const id =
      existing?.id ??
      (
        await tx.db
          .insertInto('slack_installations')
          .values({
            org_id: orgId,
            team_id: input.teamId,
            app_id: input.appId,
            installed_by: actorText(actor),
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    await tx.db
      .updateTable('slack_installations')
      .set({
        team_name: input.teamName,
        app_id: input.appId,
        bot_token: encryptSecret(ctx, input.botToken, tokenContext(id)),
        bot_user_id: input.botUserId,
        scopes: input.scopes,
        installed_by: actorText(actor),
        installed_at: new Date(),
        uninstalled_at: null,
      })
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .execute();
    await appendAudit(tx, orgId, actor, {
      action: 'slack.install',
      targetType: 'slack_installation',
      targetId: id,
      details: { team_id: input.teamId, team_name: input.teamName },
    });
    return getInstallationIn(tx, orgId, id);
  });
}

const VIEW_COLUMNS = [
  'id',
  'team_id',
  'team_name',
  'bot_user_id',
  'scopes',
  'installed_by',
  'installed_at',
  'uninstalled_at',
] as const;

type ViewRow = {
  id: string;
  team_id: string;
  team_name: string;
  bot_user_id: string | null;
  scopes: string;
  installed_by: string | null;
  installed_at: Date;
  uninstalled_at: Date | null;
};

function toView(row: ViewRow): InstallationView {
  return {
    ...row,
    scopes: row.scopes ? row.scopes.split(',') : [],
    installed_at: row.installed_at.toISOString(),
    uninstalled_at: row.uninstalled_at?.toISOString() ?? null,
  };
}

async function getInstallationIn(tx: Tx, orgId: string, id: string): Promise<InstallationView> {
  const row = await tx.db
    .selectFrom('slack_installations')
    .select(VIEW_COLUMNS)
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw new AppError('not_found', `Slack installation ${id} not found`);
  return toView(row);
}

export async function listInstallations(ctx: AppContext, orgId: string): Promise<InstallationView[]> {
  const rows = await ctx.db.withTenant(orgId, ({ db }) =>
    db
      .selectFrom('slack_installations')
      .select(VIEW_COLUMNS)
      .where('org_id', '=', orgId)
      .orderBy('installed_at', 'desc')
      .execute(),
  );
  return rows.map(toView);
}

/** Disconnects a workspace from Toktra: the token is erased; channels stay for a reinstall. */
export async function uninstallInstallation(
  ctx: AppContext,
  orgId: string,
  actor: Actor,
  id: string,
): Promise<void> {
  await ctx.db.withTenant(orgId, async (tx) => {
    await getInstallationIn(tx, orgId, id);
    await markUninstalled(tx, orgId, id);
    await appendAudit(tx, orgId, actor, {
      action: 'slack.uninstall',
      targetType: 'slack_installation',
      targetId: id,
    });
  });
}

async function markUninstalled(tx: Tx, orgId: string, id: string): Promise<void> {
  await tx.db
    .updateTable('slack_installations')
    .set({ bot_token: null, uninstalled_at: new Date() })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('uninstalled_at', 'is', null)
    .execute();
}

/** `app_uninstalled` / `tokens_revoked` from Slack: the workspace's live installation ends. */
export async function handleSlackUninstall(ctx: AppContext, teamId: string, event: string): Promise<void> {
  const live = await findLiveTeam(ctx, teamId);
  if (!live) return;
  await ctx.db.withTenant(live.org_id, async (tx) => {
    await markUninstalled(tx, live.org_id, live.id);
    await appendAudit(
      tx,
      live.org_id,
      { type: 'system', id: null },
      { action: 'slack.uninstall', targetType: 'slack_installation', targetId: live.id, details: { event } },
    );
  });
}

async function findLiveTeam(ctx: AppContext, teamId: string) {
  // Cross-tenant by nature: an inbound Slack request names a workspace, not an org.
  return findInStores(ctx.db, ({ db }) =>
    db
      .selectFrom('slack_installations')
      .select(['id', 'org_id', 'bot_token', 'bot_user_id'])
      .where('team_id', '=', teamId)
      .where('uninstalled_at', 'is', null)
      .executeTakeFirst(),
  );
}

/** The live installation of a workspace (for inbound requests), or undefined. */
export async function resolveTeam(
  ctx: AppContext,
  teamId: string,
): Promise<ResolvedInstallation | undefined> {
  const row = await findLiveTeam(ctx, teamId);
  if (!row?.bot_token) return undefined;
  return {
    orgId: row.org_id,
    installationId: row.id,
    teamId,
    botToken: decryptSecret(ctx, row.bot_token, tokenContext(row.id)),
    botUserId: row.bot_user_id,
  };
}

/** An org's live installations with tokens (for outbound posts). */
export async function liveInstallations(ctx: AppContext, orgId: string): Promise<ResolvedInstallation[]> {
  const rows = await ctx.db.withTenant(orgId, ({ db }) =>
    db
      .selectFrom('slack_installations')
      .select(['id', 'team_id', 'bot_token', 'bot_user_id'])
      .where('org_id', '=', orgId)
      .where('uninstalled_at', 'is', null)
      .orderBy('installed_at')
      .execute(),
  );
  return rows
    .filter((r) => r.bot_token)
    .map((r) => ({
      orgId,
      installationId: r.id,
      teamId: r.team_id,
      botToken: decryptSecret(ctx, r.bot_token as string, tokenContext(r.id)),
      botUserId: r.bot_user_id,
    }));
}

/** One live installation of the org by id (404 when foreign or uninstalled). */
export async function liveInstallation(
  ctx: AppContext,
  orgId: string,
  id: string,
): Promise<ResolvedInstallation> {
  const found = (await liveInstallations(ctx, orgId)).find((i) => i.installationId === id);
  if (!found) throw new AppError('not_found', `Slack installation ${id} not found`);
  return found;
}
