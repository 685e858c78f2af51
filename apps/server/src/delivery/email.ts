import type { Tx } from '@toktra/db';
import nodemailer, { type Transporter } from 'nodemailer';
import { z } from 'zod';
import { defineJob } from '../jobs/define-job.js';
import { enqueueJob } from '../jobs/enqueue.js';
import type { RenderedEmail } from './templates.js';

const transports = new Map<string, Transporter>();

function transportFor(smtpUrl: string): Transporter {
  let transport = transports.get(smtpUrl);
  if (!transport) {
    transport = nodemailer.createTransport(smtpUrl);
    transports.set(smtpUrl, transport);
  }
  return transport;
}

/**
 * Sends one mail. The outbox is the job queue: `enqueueEmail` writes the rendered message as a
 * job in the caller's transaction, and the job retries with backoff if the SMTP server is down.
 */
export const sendEmailJob = defineJob({
  name: 'email.send',
  payload: z.object({
    to: z.string().min(3),
    subject: z.string(),
    text: z.string(),
    html: z.string(),
  }),
  maxAttempts: 8,
  async run(ctx, message) {
    if (!ctx.config.smtpUrl) {
      ctx.logger.warn({ to: message.to, subject: message.subject }, 'SMTP_URL is not set: email not sent');
      return;
    }
    await transportFor(ctx.config.smtpUrl).sendMail({ from: ctx.config.emailFrom, ...message });
  },
});

export async function enqueueEmail(tx: Tx, orgId: string, to: string, message: RenderedEmail): Promise<void> {
  await enqueueJob(tx, sendEmailJob, { to, ...message }, { orgId });
}

/** Closes pooled SMTP connections (server shutdown, tests). */
export function closeEmailTransports(): void {
  for (const transport of transports.values()) transport.close();
  transports.clear();
}
