import { App, type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import { isUuid } from '@toktra/core';
import type { Logger } from 'pino';
import type { AppContext } from '../../context.js';
import { acknowledgeAction, reimbursementAction, ticketAction } from './actions.js';
import { ACTION, errorMessage } from './blocks.js';
import { alertsCommand, budgetCommand, usageCommand } from './commands.js';
import { handleSlackUninstall, type ResolvedInstallation, resolveTeam } from './installations.js';
import type { FastifySlackReceiver } from './receiver.js';
import { type ToktraUser, toktraUserOf } from './users.js';

function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: 'slack' });
  return {
    debug: (...m) => child.debug(m.join(' ')),
    info: (...m) => child.info(m.join(' ')),
    warn: (...m) => child.warn(m.join(' ')),
    error: (...m) => child.error(m.map(String).join(' ')),
    setLevel: () => {},
    getLevel: () => LogLevel.INFO,
    setName: () => {},
  };
}

const NOT_CONNECTED =
  'This Slack workspace is not connected to Toktra. An admin can install it under Integrations → Slack.';
const NOT_MAPPED =
  'I could not match your Slack account to a Toktra user: your Slack email must be the one you use in Toktra.';

type Who = { inst: ResolvedInstallation; user: ToktraUser } | { error: string };

/** The workspace (from Bolt's authorize context) and the Toktra user behind the Slack user. */
async function whoIs(ctx: AppContext, context: Record<string, unknown>, slackUserId: string): Promise<Who> {
  const inst = context.installation as ResolvedInstallation | undefined;
  if (!inst) return { error: NOT_CONNECTED };
  const user = await toktraUserOf(ctx, inst, slackUserId);
  return user ? { inst, user } : { error: NOT_MAPPED };
}

/**
 * The Bolt app: commands answer in the ack (ephemeral Block Kit, well within 3 s); buttons ack
 * at once and follow up through `response_url`. Tokens come per workspace from the installation
 * store (`authorize`), so one app serves every org's workspaces.
 */
export function createSlackApp(
  ctx: AppContext,
  receiver: FastifySlackReceiver | undefined,
  socket?: { appToken: string },
): App {
  const app = new App({
    ...(receiver ? { receiver } : { socketMode: true, appToken: socket?.appToken }),
    logger: boltLogger(ctx.logger),
    clientOptions: { slackApiUrl: ctx.config.slack.apiUrl, retryConfig: { retries: 0 } },
    authorize: async ({ teamId }) => {
      const inst = teamId ? await resolveTeam(ctx, teamId) : undefined;
      // An unknown workspace still reaches the listeners, which answer with how to connect it.
      if (!inst) return {};
      return { botToken: inst.botToken, botUserId: inst.botUserId ?? undefined, teamId, installation: inst };
    },
  });

  const command = (
    name: string,
    run: (inst: ResolvedInstallation, user: ToktraUser, text: string) => Promise<unknown>,
  ) =>
    app.command(name, async ({ command: cmd, ack, context }) => {
      const who = await whoIs(ctx, context, cmd.user_id);
      if ('error' in who) return ack(errorMessage(who.error));
      await ack((await run(who.inst, who.user, cmd.text ?? '')) as never);
    });
  command('/toktra-usage', (inst, user, text) => usageCommand(ctx, inst, user, text));
  command('/toktra-budget', (inst) => budgetCommand(ctx, inst));
  command('/toktra-alerts', (inst, user, text) => alertsCommand(ctx, inst, user, text));

  const button = (
    actionId: string,
    run: (
      inst: ResolvedInstallation,
      user: ToktraUser,
      value: string,
      slackUserId: string,
    ) => Promise<unknown>,
  ) =>
    app.action(actionId, async ({ ack, body, action, respond, context }) => {
      await ack();
      const value = 'value' in action && typeof action.value === 'string' ? action.value : '';
      const who = await whoIs(ctx, context, body.user.id);
      if ('error' in who)
        return void (await respond({ replace_original: false, response_type: 'ephemeral', text: who.error }));
      if (!isUuid(value))
        return void (await respond({
          replace_original: false,
          response_type: 'ephemeral',
          text: 'This button is out of date.',
        }));
      await respond((await run(who.inst, who.user, value, body.user.id)) as never);
    });
  button(ACTION.acknowledge, (inst, user, id, slackUser) =>
    acknowledgeAction(ctx, inst, user, slackUser, id),
  );
  button(ACTION.ticket, (inst, user, id) => ticketAction(ctx, inst, user, id));
  button(ACTION.approve, (inst, user, id) => reimbursementAction(ctx, inst, user, id, 'approved'));
  button(ACTION.reject, (inst, user, id) => reimbursementAction(ctx, inst, user, id, 'rejected'));

  app.event('app_uninstalled', async ({ body }) => {
    if (body.team_id) await handleSlackUninstall(ctx, body.team_id, 'app_uninstalled');
  });
  app.event('tokens_revoked', async ({ body, event }) => {
    // Only a revoked bot token ends the installation; user tokens are not used.
    if (body.team_id && (event.tokens.bot?.length ?? 0) > 0)
      await handleSlackUninstall(ctx, body.team_id, 'tokens_revoked');
  });
  app.error(async (error) => {
    ctx.logger.error({ err: error }, 'Slack listener error');
  });
  return app;
}
