import nodemailer, { type Transporter } from 'nodemailer';
import type { AppContext } from '../context.js';
import type { ReportEmail } from './build.js';

const transports = new Map<string, Transporter>();

/**
 * Sends a report straight through SMTP (`SMTP_URL`). Reports carry binary attachments, which
 * do not belong in the JSON job payloads of delivery/email.ts's outbox; the report job itself is
 * the retry unit instead.
 */
export async function sendReportMail(ctx: AppContext, to: string[], email: ReportEmail): Promise<void> {
  const url = ctx.config.smtpUrl;
  if (!url) throw new Error('SMTP_URL is not set: cannot send reports');
  let transport = transports.get(url);
  if (!transport) {
    transport = nodemailer.createTransport(url);
    transports.set(url, transport);
  }
  await transport.sendMail({ from: ctx.config.emailFrom, to, ...email });
}

export function closeReportTransports(): void {
  for (const t of transports.values()) t.close();
  transports.clear();
}
