import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { Webhook } from 'standardwebhooks';
import type { AppContext } from '../context.js';
import { jobDefinitions } from '../jobs/registry.js';
import { JobRunner } from '../jobs/runner.js';

/** A real SMTP server on loopback that keeps every message it receives, parsed. */
export async function startSmtpSink(): Promise<{
  url: string;
  messages: ParsedMail[];
  close(): Promise<void>;
}> {
  const messages: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          messages.push(mail);
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}?ignoreTLS=true`,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  /** The parsed payload when the signature verified with `standardwebhooks`, else null. */
  verified: unknown;
  error: string | null;
}

/**
 * A loopback webhook receiver that verifies Standard Webhooks signatures and answers with the
 * status `respond(n)` picks for the n-th request (0-based).
 */
export async function startWebhookReceiver(respond: (n: number) => number = () => 200): Promise<{
  url: string;
  received: ReceivedWebhook[];
  setSecret(secret: string): void;
  close(): Promise<void>;
}> {
  const received: ReceivedWebhook[] = [];
  let secret = '';
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let verified: unknown = null;
      let error: string | null = null;
      try {
        verified = new Webhook(secret).verify(body, req.headers as Record<string, string>);
      } catch (e) {
        error = (e as Error).message;
      }
      const status = respond(received.length);
      received.push({ headers: req.headers, body, verified, error });
      res.statusCode = status;
      res.end(status < 300 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    setSecret: (s) => {
      secret = s;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Runs every job due at `now` (default: the real clock) once, as the worker would. */
export async function drainJobs(ctx: AppContext, now?: Date): Promise<number> {
  return new JobRunner(ctx, jobDefinitions, [], now ? { now: () => now } : {}).runOnce();
}
