import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '@toktra/core';
import { findInStores } from '@toktra/db';
import type { Actor } from '../../audit/service.js';
import type { AppContext } from '../../context.js';
import { slackClient, slackErrorCode } from './client.js';
import { actorText, type InstallationView, saveInstallation } from './installations.js';

/** Installing the Slack app with OAuth v2: a single-use state, the authorize URL, the callback. */
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

const hashState = (state: string) => createHash('sha256').update(state).digest('hex');

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
