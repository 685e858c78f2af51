import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { createSlackApp } from '../../../integrations/slack/bolt-app.js';
import { FastifySlackReceiver } from '../../../integrations/slack/receiver.js';
import { registerSlackOauthCallback } from './oauth-callback.js';

const receivers = new WeakMap<AppContext, FastifySlackReceiver>();

/** The receiver serving `/slack/events` for a context (tests wait on `idle()` for after-ack work). */
export function slackReceiverOf(ctx: AppContext): FastifySlackReceiver | undefined {
  return receivers.get(ctx);
}

/**
 * The Slack app: `POST /slack/events` (commands, buttons, events; signature-verified),
 * `GET /integrations/slack/oauth/callback`, alert routing to channels, and Socket Mode when
 * `SLACK_APP_TOKEN` is set.
 */
export async function registerSlackRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const receiver = new FastifySlackReceiver({
    signingSecret: () => ctx.config.slack.signingSecret,
    logger: ctx.logger,
  });
  createSlackApp(ctx, receiver);
  receivers.set(ctx, receiver);
  await receiver.mount(app, '/slack/events');
  registerSlackOauthCallback(app, ctx);
  // Alerts reach their channels right after commit in the serving process (the outbox job is the backstop).
  ctx.events.runHandlersEagerly();
  app.addHook('onClose', async () => receiver.stop());
  const appToken = ctx.config.slack.appToken;
  if (appToken) {
    // Socket Mode (no inbound HTTP): the same listeners over Slack's WebSocket. Untested offline.
    const socketApp = createSlackApp(ctx, undefined, { appToken });
    app.addHook('onReady', async () => {
      // Not awaited: a slow or unreachable Slack must not hold up the server's readiness.
      void socketApp
        .start()
        .catch((err: unknown) => ctx.logger.error({ err }, 'Slack Socket Mode failed to start'));
    });
    app.addHook('onClose', async () => {
      await socketApp.stop().catch(() => {});
    });
  }
}
