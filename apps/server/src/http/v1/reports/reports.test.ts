import type { AddressInfo } from 'node:net';
import type { TestDatabase } from '@toktra/db/testing';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../config.js';
import { type AppContext, createContext } from '../../../context.js';
import { JobRunner } from '../../../jobs/runner.js';
import { sendDueReportsJob } from '../../../reports/job.js';
import { closeReportTransports } from '../../../reports/mailer.js';
import { ingestBatch } from '../../../usage/ingest.js';
import { bearer, createKey, createTestContext, type SeededOrg, seedOrg } from '../../../usage/testing.js';
import { addDays, dayInZone } from '../../../usage/time-zone.js';
import { buildHttpApp, type HttpApp } from '../../app.js';

let ctx: AppContext;
let handle: TestDatabase;
let app: HttpApp;
let smtp: SMTPServer;
const inbox: ParsedMail[] = [];
let a: SeededOrg;
let b: SeededOrg;
let adminA: string;
let adminB: string;

async function waitForMail(count: number): Promise<ParsedMail> {
  for (let i = 0; i < 100 && inbox.length < count; i++) await new Promise((r) => setTimeout(r, 50));
  expect(inbox.length).toBe(count);
  return inbox[count - 1] as ParsedMail;
}

beforeAll(async () => {
  smtp = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream, { keepCidLinks: true })
        .then((mail) => {
          inbox.push(mail);
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const { port } = smtp.server.address() as AddressInfo;
  ({ ctx, handle } = await createTestContext({
    smtpUrl: `smtp://127.0.0.1:${port}`,
    emailFrom: 'Toktra <reports@toktra.test>',
  }));
  a = await seedOrg(ctx, 'reports-a');
  b = await seedOrg(ctx, 'reports-b');
  adminA = await createKey(ctx, a.orgId, ['admin']);
  adminB = await createKey(ctx, b.orgId, ['admin']);
  const yesterday = addDays(dayInZone(Date.now(), 'UTC'), -1);
  const events = [
    ...Array.from({ length: 6 }, (_, i) => ({ user: a.users.alice, provider: 'openai', model: 'gpt-4o', i })),
    ...Array.from({ length: 6 }, (_, i) => ({
      user: a.users.bob,
      provider: 'anthropic',
      model: 'claude-opus-4',
      i,
    })),
  ].map((e) => ({
    id: crypto.randomUUID(),
    occurred_at: `${yesterday}T1${e.i}:00:00Z`,
    user_id: e.user,
    provider: e.provider,
    model: e.model,
    input_tokens: 1000,
    output_tokens: e.provider === 'openai' ? 500 : 50,
  }));
  await ingestBatch(ctx, a.orgId, { type: 'api', keyId: crypto.randomUUID() }, events);
  app = await buildHttpApp(ctx);
});
afterAll(async () => {
  closeReportTransports();
  await app.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await handle.drop();
});

const daily = {
  name: 'Daily AI usage',
  frequency: 'daily',
  time_of_day: '07:00',
  time_zone: 'Europe/Berlin',
  recipients: ['cfo@reports-a.test', 'cto@reports-a.test'],
};

async function create(body: Record<string, unknown>, key = adminA) {
  const response = await app.inject({
    method: 'POST',
    url: '/v1/reports',
    payload: body,
    headers: bearer(key),
  });
  return { status: response.statusCode, body: response.json() };
}

describe('scheduled reports', () => {
  it('"send now" mails the summary with an inline PNG chart and a CSV to a real SMTP server', async () => {
    const created = await create(daily);
    expect(created.status).toBe(201);
    expect(Date.parse(created.body.next_run_at)).toBeGreaterThan(Date.now());
    const sent = await app.inject({
      method: 'POST',
      url: `/v1/reports/${created.body.id}/send-now`,
      headers: bearer(adminA),
    });
    expect(sent.statusCode).toBe(200);
    expect(sent.json().sent_to).toEqual(daily.recipients);
    const mail = await waitForMail(1);
    expect(mail.subject).toMatch(/^Toktra Daily AI usage: /);
    expect(mail.from?.text).toContain('reports@toktra.test');
    expect((Array.isArray(mail.to) ? mail.to : [mail.to]).map((t) => t?.text).join(',')).toContain(
      'cfo@reports-a.test',
    );
    const html = String(mail.html);
    for (const section of [
      'Usage by provider',
      'Usage by model',
      'Top users by token volume',
      'Budget utilisation',
      'Efficiency scores',
      'Coaching highlights',
    ]) {
      expect(html).toContain(section);
    }
    expect(html).toContain('gpt-4o');
    expect(html).toContain('claude-opus-4');
    expect(html).toContain('Most tokens go to premium models');
    const chart = mail.attachments.find((x) => x.contentType === 'image/png');
    expect(chart?.contentId).toBe('<usage-chart>');
    expect(html).toContain(`cid:${chart?.cid ?? 'usage-chart'}`);
    expect(chart?.content.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(chart?.content.readUInt32BE(16)).toBe(640);
    const csv = mail.attachments.find((x) => x.contentType === 'text/csv');
    const lines = csv?.content.toString('utf8').trim().split('\n') ?? [];
    expect(lines[0]).toBe('user_id,user_email,user_name,events,est_input_tokens,est_output_tokens');
    expect(lines.slice(1).sort()).toEqual(
      [
        `${a.users.alice},alice@reports-a.test,alice,6,6000,3000`,
        `${a.users.bob},bob@reports-a.test,bob,6,6000,300`,
      ].sort(),
    );
  });

  it('the recurring job sends due schedules and moves them to their next slot', async () => {
    const created = await create({ ...daily, name: 'Weekly digest', frequency: 'weekly', day_of_week: 1 });
    await ctx.db.withTenant(a.orgId, (tx) =>
      tx.db
        .updateTable('report_schedules')
        .set({ next_run_at: new Date(Date.now() - 60_000) })
        .where('id', '=', created.body.id)
        .execute(),
    );
    const runner = new JobRunner(ctx, [], [{ job: sendDueReportsJob, everyMs: 60_000, payload: {} }]);
    await runner.runOnce();
    await runner.runOnce();
    const mail = await waitForMail(2);
    expect(mail.subject).toMatch(/^Toktra Weekly digest: /);
    const list = await app.inject({ method: 'GET', url: '/v1/reports', headers: bearer(adminA) });
    const weekly = list.json().data.find((s: { id: string }) => s.id === created.body.id);
    expect(weekly.last_sent_at).not.toBeNull();
    expect(Date.parse(weekly.next_run_at)).toBeGreaterThan(Date.now());
    expect(new Date(weekly.next_run_at).getUTCDay()).toBe(1);
  });

  it('records the reason when the mail server is unreachable (502)', async () => {
    const created = await create({ ...daily, name: 'Broken' });
    const broken = createContext(
      resolveConfig({ logLevel: 'silent', smtpUrl: 'smtp://127.0.0.1:1' }, {}),
      handle.db,
    );
    const brokenApp = await buildHttpApp(broken);
    const sent = await brokenApp.inject({
      method: 'POST',
      url: `/v1/reports/${created.body.id}/send-now`,
      headers: bearer(adminA),
    });
    await brokenApp.close();
    expect(sent.statusCode).toBe(502);
    const list = await app.inject({ method: 'GET', url: '/v1/reports', headers: bearer(adminA) });
    expect(list.json().data.find((s: { id: string }) => s.id === created.body.id).last_error).toMatch(
      /ECONNREFUSED|connect/,
    );
  });

  it('rejects bad schedules with clear 400s', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...daily, frequency: 'weekly' }, /day_of_week/],
      [{ ...daily, frequency: 'monthly', day_of_month: 31 }, /day_of_month/],
      [{ ...daily, time_of_day: '7am' }, /HH:MM/],
      [{ ...daily, time_zone: 'Mars/Olympus' }, /unknown time zone/],
      [{ ...daily, recipients: ['not-an-email'] }, /recipients/],
      [{ ...daily, recipients: [] }, /recipients/],
      [{ ...daily, frequency: 'hourly' }, /frequency/],
    ];
    for (const [body, message] of cases) {
      const { status, body: answer } = await create(body);
      expect(status).toBe(400);
      expect(answer.error.message).toMatch(message);
    }
  });

  it("answers 404 for another org's report, and needs settings rights", async () => {
    const created = await create(daily);
    const id = created.body.id;
    const post = (url: string, key: string) => app.inject({ method: 'POST', url, headers: bearer(key) });
    expect((await post(`/v1/reports/${id}/send-now`, adminB)).statusCode).toBe(404);
    expect(
      (await app.inject({ method: 'DELETE', url: `/v1/reports/${id}`, headers: bearer(adminB) })).statusCode,
    ).toBe(404);
    expect((await post('/v1/reports/not-a-uuid/send-now', adminA)).statusCode).toBe(404);
    const listB = await app.inject({ method: 'GET', url: '/v1/reports', headers: bearer(adminB) });
    expect(listB.json().data).toEqual([]);
    const readKey = await createKey(ctx, a.orgId, ['read']);
    expect((await post(`/v1/reports/${id}/send-now`, readKey)).statusCode).toBe(403);
    expect(
      (await app.inject({ method: 'DELETE', url: `/v1/reports/${id}`, headers: bearer(adminA) })).statusCode,
    ).toBe(204);
  });
});
