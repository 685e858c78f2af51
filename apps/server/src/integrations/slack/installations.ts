import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '@toktra/core';
import { findInStores, type Tx } from '@toktra/db';
import { type Actor, appendAudit } from '../../audit/service.js';
import type { AppContext } from '../../context.js';
import { decryptSecret, encryptSecret } from '../../secrets/service.js';
import { slackClient, slackErrorCode } from './client.js';

/** What the Slack app asks for (product page, "Authorize the app"). */
export const SLACK_SCOPES = [
  'app_mentions:read',
  'chat:write',
  'commands',
  'channels:read',
  'groups:read',
  'im:read',
  'im:write',
  'users:read',
  'users:read.email',
];
export const OAUTH_CALLBACK_PATH = '/integrations/slack/oauth/callback';
export const STATE_COOKIE = 'toktra_slack_state';
const STATE_TTL_MS = 10 * 60_000;

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

const hashState = (state: string) => createHash('sha256').update(state).digest('hex');
const tokenContext = (id: string) => `slack_installation:${id}`;
const actorText = (actor: Actor) => `${actor.type}:${actor.id ?? ''}`;

export function redirectUri(ctx: AppContext, requestOrigin: string): string {
  return `${ctx.config.publicUrl ?? requestOrigin}${OAUTH_CALLBACK_PATH}`;
}

/** Starts an install: a single-use state (stored hashed) and the Slack authorize URL. */
export async function startSlackInstall(
  ctx: AppContext,
  orgId: string,
  actor: Actor,
  options: { redirectUri: string; browserBound: boolean },
): Promise<{ url: string; state: string; expiresAt: Date }> {
  const clientId = ctx.config.slack.clientId;
  if (!clientId || !ctx.config.slack.clientSecret) {
    throw new AppError(
      'validation_failed',
      'set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET to install the Slack app',
    );
  }
  const state = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + STATE_TTL_MS);
  await ctx.db.withTenant(orgId, (tx) =>
    tx.db
      .insertInto('slack_oauth_states')
      .values({
        state_hash: hashState(state),
        org_id: orgId,
        created_by: actorText(actor),
        browser_bound: options.browserBound,
        expires_at: expiresAt,
        used_at: null,
      })
      .execute(),
  );
  const url = new URL(ctx.config.slack.authorizeUrl);
  url.searchParams.set('client_id', clientId);
  url.searchParams.set('scope', SLACK_SCOPES.join(','));
  url.searchParams.set('redirect_uri', options.redirectUri);
  url.searchParams.set('state', state);
  return { url: url.toString(), state, expiresAt };
}

/** Consumes a state exactly once; unknown, expired, reused or cookie-less → `unauthorized`. */
async function consumeState(ctx: AppContext, state: string, cookie: string | undefined) {
  const row = await findInStores(ctx.db, ({ db }) =>
    db
      .updateTable('slack_oauth_states')
      .set({ used_at: new Date() })
      .where('state_hash', '=', hashState(state))
      .where('used_at', 'is', null)
      .where('expires_at', '>', new Date())
      .returning(['org_id', 'created_by', 'browser_bound'])
      .executeTakeFirst(),
  );
  if (!row)
    throw new AppError('unauthorized', 'the install link is invalid, expired or already used; start again');
  if (row.browser_bound && cookie !== state) {
    throw new AppError('unauthorized', 'the install was started in another browser; start again');
  }
  return row;
}

/**
 * The OAuth callback: checks the state, exchanges the code with `oauth.v2.access`, and stores
 * the workspace with its bot token encrypted. A workspace already live in another org is refused.
 */
export async function completeSlackInstall(
  ctx: AppContext,
  input: { code: string; state: string; cookie: string | undefined; redirectUri: string },
): Promise<{ orgId: string; installation: InstallationView }> {
  const state = await consumeState(ctx, input.state, input.cookie);
  const { clientId, clientSecret } = ctx.config.slack;
  if (!clientId || !clientSecret) throw new AppError('validation_failed', 'Slack OAuth is not configured');
  let access: Awaited<ReturnType<ReturnType<typeof slackClient>['oauth']['v2']['access']>>;
  try {
    access = await slackClient(ctx).oauth.v2.access({
      client_id: clientId,
      client_secret: clientSecret,
      code: input.code,
      redirect_uri: input.redirectUri,
    });
  } catch (error) {
    throw new AppError('validation_failed', `Slack refused the install: ${slackErrorCode(error)}`);
  }
  const teamId = access.team?.id;
  if (!teamId || !access.access_token) throw new AppError('validation_failed', 'Slack returned no bot token');
  const actor = parseActor(state.created_by);
  const installation = await saveInstallation(ctx, state.org_id, actor, {
    teamId,
    teamName: access.team?.name ?? '',
    appId: access.app_id ?? null,
    botToken: access.access_token,
    botUserId: access.bot_user_id ?? null,
    scopes: access.scope ?? '',
  });
  return { orgId: state.org_id, installation };
}

function parseActor(text: string | null): Actor {
  const [type, id] = (text ?? 'system:').split(':');
  return { type: (type ?? 'system') as Actor['type'], id: id || null };
}

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

async function saveInstallation(
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
