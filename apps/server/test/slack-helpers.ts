import type { AppContext } from '../src/context.js';
import type { HttpApp } from '../src/http/app.js';
import { slackReceiverOf } from '../src/http/integrations/slack/index.js';
import { signSlackRequest } from '../src/integrations/slack/signature.js';

export const SIGNING_SECRET = 'test-signing-secret-0123456789';

/** Headers Slack would send: `v0` HMAC of `v0:<ts>:<body>` with the signing secret. */
export function slackHeaders(
  body: string,
  contentType: string,
  options: { ts?: number; secret?: string } = {},
) {
  const ts = String(options.ts ?? Math.floor(Date.now() / 1000));
  return {
    'content-type': contentType,
    'x-slack-request-timestamp': ts,
    'x-slack-signature': signSlackRequest(options.secret ?? SIGNING_SECRET, ts, body),
  };
}

export interface CommandInput {
  command: string;
  text?: string;
  user: string;
  team: string;
  responseUrl?: string;
}

export function commandBody(c: CommandInput): string {
  return new URLSearchParams({
    token: 'legacy',
    team_id: c.team,
    team_domain: 'acme',
    channel_id: 'C0GENERAL',
    channel_name: 'general',
    user_id: c.user,
    user_name: c.user.toLowerCase(),
    command: c.command,
    text: c.text ?? '',
    api_app_id: 'A0TOKTRA',
    response_url: c.responseUrl ?? 'http://127.0.0.1:9/unused',
    trigger_id: '1.2.3',
  }).toString();
}

export function buttonBody(input: {
  actionId: string;
  value: string;
  user: string;
  team: string;
  responseUrl: string;
  channel?: string;
}): string {
  const payload = {
    type: 'block_actions',
    team: { id: input.team, domain: 'acme' },
    user: { id: input.user, username: input.user.toLowerCase(), team_id: input.team },
    api_app_id: 'A0TOKTRA',
    token: 'legacy',
    trigger_id: '1.2.3',
    response_url: input.responseUrl,
    container: { type: 'message', message_ts: '1767225600.000001', channel_id: input.channel ?? 'C0GENERAL' },
    channel: { id: input.channel ?? 'C0GENERAL', name: 'general' },
    message: { type: 'message', ts: '1767225600.000001', text: 'card' },
    actions: [
      {
        type: 'button',
        action_id: input.actionId,
        block_id: 'b1',
        value: input.value,
        action_ts: '1767225601.000000',
        text: { type: 'plain_text', text: 'Button' },
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

const FORM = 'application/x-www-form-urlencoded';

/** POSTs a signed body to `/slack/events` and waits for the listener's after-ack work. */
export async function postSlack(
  app: HttpApp,
  ctx: AppContext,
  body: string,
  contentType = FORM,
  headers?: Record<string, string>,
) {
  const res = await app.inject({
    method: 'POST',
    url: '/slack/events',
    headers: headers ?? slackHeaders(body, contentType),
    payload: body,
  });
  await slackReceiverOf(ctx)?.idle();
  await ctx.events.idle();
  return res;
}

/** Every text in a Block Kit payload, flattened (for assertions that don't care about layout). */
export function blockText(blocks: unknown): string {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'text' && typeof x === 'string') out.push(x);
        else walk(x);
      }
    }
  };
  walk(blocks);
  return out.join('\n');
}
