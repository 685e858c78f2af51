import { type FakeServer, type RecordedRequest, startFakeServer } from './fake-server.js';

/** One Web API call as the fake saw it: the method, the bearer token and the decoded arguments. */
export interface SlackCall {
  method: string;
  token: string | undefined;
  args: Record<string, unknown>;
}

export interface SlackFakeOptions {
  clientId: string;
  clientSecret: string;
  team: { id: string; name: string };
  botToken: string;
  /** Slack users of the workspace: id → email. */
  users: Record<string, string>;
  channels?: Array<{ id: string; name: string; is_private?: boolean }>;
}

export interface SlackFake {
  url: string;
  /** `SLACK_API_URL` for the app. */
  apiUrl: string;
  calls: SlackCall[];
  /** Bodies POSTed to `response_url`s (`<url>/response/<id>`), parsed. */
  responses: Array<{ id: string; body: Record<string, unknown> }>;
  /** A `response_url` served by the fake. */
  responseUrl(id: string): string;
  /** Codes `oauth.v2.access` accepts (single use, like Slack's). */
  issueCode(code: string): void;
  /** The next `count` calls of `method` answer `{ok:false, error}`. */
  failNext(method: string, error: string, count?: number): void;
  callsOf(method: string): SlackCall[];
  request: FakeServer['requests'];
  close(): Promise<void>;
}

const JSON_ARGS = new Set(['blocks', 'attachments', 'metadata']);

/** Decodes a WebClient form body: scalars as strings, JSON-looking values (blocks) parsed. */
function decodeArgs(req: RecordedRequest): Record<string, unknown> {
  const type = String(req.headers['content-type'] ?? '');
  if (type.includes('application/json')) return JSON.parse(req.body || '{}') as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(req.body)) {
    args[k] = JSON_ARGS.has(k) ? JSON.parse(v) : v;
  }
  return args;
}

/**
 * A loopback Slack Web API speaking the wire format of `@slack/web-api` (`POST /api/<method>`,
 * form bodies, `Authorization: Bearer`), plus `response_url` sinks. Records every call.
 */
export async function startSlackFake(options: SlackFakeOptions): Promise<SlackFake> {
  const calls: SlackCall[] = [];
  const responses: SlackFake['responses'] = [];
  const codes = new Set<string>();
  const failures = new Map<string, { error: string; count: number }>();
  const dms = new Map<string, string>();
  let seq = 0;
  const ts = () => `1767225600.${String(++seq).padStart(6, '0')}`;
  const ok = (body: Record<string, unknown>) => ({ status: 200, body: { ok: true, ...body } });
  const fail = (error: string) => ({ status: 200, body: { ok: false, error } });

  const server = await startFakeServer((req) => {
    if (req.path.startsWith('/response/')) {
      responses.push({ id: req.path.slice('/response/'.length), body: JSON.parse(req.body || '{}') });
      return { status: 200, body: { ok: true } };
    }
    const method = req.path.replace(/^\/api\//, '');
    const auth = String(req.headers.authorization ?? '');
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : undefined;
    const args = decodeArgs(req);
    calls.push({ method, token, args });
    const failure = failures.get(method);
    if (failure && failure.count > 0) {
      failure.count--;
      return fail(failure.error);
    }
    if (method === 'oauth.v2.access') {
      if (args.client_id !== options.clientId || args.client_secret !== options.clientSecret)
        return fail('invalid_client');
      if (typeof args.code !== 'string' || !codes.delete(args.code)) return fail('invalid_code');
      return ok({
        app_id: 'A0TOKTRA',
        access_token: options.botToken,
        token_type: 'bot',
        scope: 'commands,chat:write,users:read,users:read.email',
        bot_user_id: 'UBOT',
        team: options.team,
        enterprise: null,
        is_enterprise_install: false,
        authed_user: { id: 'UINSTALLER' },
      });
    }
    if (token !== options.botToken) return fail('invalid_auth');
    switch (method) {
      case 'auth.test':
        return ok({ team_id: options.team.id, team: options.team.name, user_id: 'UBOT', bot_id: 'B1' });
      case 'users.info': {
        const email = options.users[String(args.user)];
        return email ? ok({ user: { id: args.user, profile: { email } } }) : fail('user_not_found');
      }
      case 'users.lookupByEmail': {
        const found = Object.entries(options.users).find(
          ([, e]) => e.toLowerCase() === String(args.email).toLowerCase(),
        );
        return found
          ? ok({ user: { id: found[0], team_id: options.team.id, profile: { email: found[1] } } })
          : fail('users_not_found');
      }
      case 'conversations.open': {
        const user = String(args.users);
        if (!options.users[user]) return fail('user_not_found');
        const id = dms.get(user) ?? `D${user}`;
        dms.set(user, id);
        return ok({ channel: { id } });
      }
      case 'conversations.list':
        return ok({ channels: options.channels ?? [], response_metadata: { next_cursor: '' } });
      case 'chat.postMessage':
        return ok({ channel: args.channel, ts: ts(), message: { text: args.text } });
      case 'chat.update':
        return ok({ channel: args.channel, ts: args.ts });
      default:
        return fail('unknown_method');
    }
  });
  return {
    url: server.url,
    apiUrl: `${server.url}/api/`,
    calls,
    responses,
    responseUrl: (id) => `${server.url}/response/${id}`,
    issueCode: (code) => codes.add(code),
    failNext(method, error, count = 1) {
      failures.set(method, { error, count });
    },
    callsOf: (method) => calls.filter((c) => c.method === method),
    request: server.requests,
    close: () => server.close(),
  };
}
