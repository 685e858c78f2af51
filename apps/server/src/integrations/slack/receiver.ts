import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { auth } from '../../auth/route-auth.js';
import { verifySlackSignature } from './signature.js';

/** Slack gives up after 3 s; answer before that even if a listener never acknowledged. */
export const ACK_TIMEOUT_MS = 3_000;

type ParsedBody = Record<string, unknown>;

/**
 * Bolt's receiver for Fastify: Fastify hands over the raw body (no parser runs before the
 * signature check), we verify `X-Slack-Signature`, parse the three body shapes Slack sends, and
 * call `app.processEvent`; the HTTP answer is whatever the listener passes to `ack()`.
 * Listener work that continues after the ack is tracked so tests (and shutdown) can wait for it.
 */
export class FastifySlackReceiver implements Receiver {
  private app: App | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly options: {
      signingSecret: () => string | undefined;
      logger: Logger;
      nowMs?: () => number;
    },
  ) {}

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    await this.idle();
  }

  /** Resolves when every listener started so far has finished (after-ack work included). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Mounts `POST path` in its own encapsulated scope with a raw-body parser. */
  async mount(fastify: FastifyInstance, path: string): Promise<void> {
    await fastify.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 1024 * 1024 }, (_req, body, done) =>
        done(null, body),
      );
      scope.post(
        path,
        { schema: { hide: true }, config: { auth: auth.public('Slack request signature') } },
        (request, reply) => this.handle(request, reply),
      );
    });
  }

  private async handle(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const header = (name: string) => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    const contentType = (header('content-type') ?? '').split(';')[0]?.trim() ?? '';
    // Slack's SSL check carries no signature; answer it without looking at anything else.
    if (
      contentType === 'application/x-www-form-urlencoded' &&
      /(^|&)ssl_check=1(&|$)/.test(rawBody.toString())
    ) {
      return reply.status(200).send('');
    }
    const secret = this.options.signingSecret();
    const check = secret
      ? verifySlackSignature({
          secret,
          rawBody,
          timestamp: header('x-slack-request-timestamp'),
          signature: header('x-slack-signature'),
          ...(this.options.nowMs ? { nowMs: this.options.nowMs() } : {}),
        })
      : ({ ok: false, reason: 'SLACK_SIGNING_SECRET is not configured' } as const);
    if (!check.ok) {
      this.options.logger.warn({ reason: check.reason }, 'refused a Slack request');
      return reply.status(401).send({ error: { code: 'unauthorized', message: 'invalid Slack signature' } });
    }
    let body: ParsedBody;
    try {
      body = parseBody(rawBody, contentType);
    } catch {
      return reply.status(400).send({ error: { code: 'bad_request', message: 'unreadable Slack payload' } });
    }
    if (body.type === 'url_verification') return reply.send({ challenge: body.challenge });
    if (!this.app)
      return reply.status(503).send({ error: { code: 'unavailable', message: 'Slack app not ready' } });
    return this.dispatch(body, header('x-slack-retry-num'), header('x-slack-retry-reason'), reply);
  }

  private async dispatch(
    body: ParsedBody,
    retryNum: string | undefined,
    retryReason: string | undefined,
    reply: FastifyReply,
  ): Promise<unknown> {
    let resolveAck: (response: unknown) => void = () => {};
    const acked = new Promise<{ response: unknown }>((resolve) => {
      resolveAck = (response) => resolve({ response });
    });
    let isAcked = false;
    const event: ReceiverEvent = {
      body,
      ack: async (response?: unknown) => {
        if (isAcked) return;
        isAcked = true;
        resolveAck(response);
      },
      ...(retryNum ? { retryNum: Number(retryNum) } : {}),
      ...(retryReason ? { retryReason } : {}),
    };
    const app = this.app as App;
    const processing = app.processEvent(event).then(
      () => ({ failed: false as const }),
      (error: unknown) => {
        this.options.logger.error({ err: error }, 'Slack listener failed');
        return { failed: true as const };
      },
    );
    this.inFlight.add(processing);
    void processing.finally(() => this.inFlight.delete(processing));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ACK_TIMEOUT_MS);
    });
    const outcome = await Promise.race([acked, processing, timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.options.logger.error('a Slack request was not acknowledged within 3 seconds');
      return reply.status(404).send('');
    }
    if ('failed' in outcome) {
      // The listener finished; if it acknowledged on the way, that answer wins.
      if (isAcked) return sendAck(reply, (await acked).response);
      return reply.status(outcome.failed ? 500 : 404).send('');
    }
    return sendAck(reply, outcome.response);
  }
}

function sendAck(reply: FastifyReply, response: unknown): FastifyReply {
  if (response === undefined || response === '') return reply.status(200).send('');
  if (typeof response === 'string') return reply.status(200).type('text/plain').send(response);
  return reply.status(200).type('application/json').send(JSON.stringify(response));
}

function parseBody(rawBody: Buffer, contentType: string): ParsedBody {
  const text = rawBody.toString('utf8');
  if (contentType === 'application/x-www-form-urlencoded') {
    const form = new URLSearchParams(text);
    const payload = form.get('payload');
    if (payload !== null) return JSON.parse(payload) as ParsedBody;
    return Object.fromEntries(form.entries());
  }
  const parsed: unknown = JSON.parse(text);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
  return parsed as ParsedBody;
}
