import { AppError } from '@toktra/core';
import type { ReportFrequency } from '@toktra/db';
import { type Actor, appendAudit } from '../audit/service.js';
import type { AppContext } from '../context.js';
import { assertTimeZone } from '../orgs/service.js';
import { orgTimeZoneOf } from '../scorecards/org-day.js';
import { buildReport } from './build.js';
import { sendReportMail } from './mailer.js';
import { localDay, nextRunAt, reportPeriod } from './schedule.js';

export interface ScheduleInput {
  name: string;
  frequency: ReportFrequency;
  day_of_week?: number | undefined;
  day_of_month?: number | undefined;
  time_of_day: string;
  time_zone: string;
  recipients: string[];
}

export interface ScheduleView {
  id: string;
  name: string;
  frequency: ReportFrequency;
  day_of_week: number | null;
  day_of_month: number | null;
  time_of_day: string;
  time_zone: string;
  recipients: string[];
  enabled: boolean;
  next_run_at: string;
  last_sent_at: string | null;
  last_error: string | null;
}

const COLUMNS = [
  'id',
  'name',
  'frequency',
  'day_of_week',
  'day_of_month',
  'time_of_day',
  'time_zone',
  'recipients',
  'enabled',
  'next_run_at',
  'last_sent_at',
  'last_error',
] as const;

type Row = {
  id: string;
  name: string;
  frequency: ReportFrequency;
  day_of_week: number | null;
  day_of_month: number | null;
  time_of_day: string;
  time_zone: string;
  recipients: string[];
  enabled: boolean;
  next_run_at: Date;
  last_sent_at: Date | null;
  last_error: string | null;
};

function toView(r: Row): ScheduleView {
  return {
    ...r,
    next_run_at: r.next_run_at.toISOString(),
    last_sent_at: r.last_sent_at?.toISOString() ?? null,
  };
}

function validate(input: ScheduleInput): void {
  assertTimeZone(input.time_zone);
  if (input.frequency === 'weekly' && input.day_of_week === undefined) {
    throw new AppError('validation_failed', 'a weekly report needs day_of_week (0 = Sunday … 6 = Saturday)');
  }
  if (input.frequency === 'monthly' && input.day_of_month === undefined) {
    throw new AppError('validation_failed', 'a monthly report needs day_of_month (1–28)');
  }
}

export async function createSchedule(
  ctx: AppContext,
  orgId: string,
  actor: Actor,
  input: ScheduleInput,
): Promise<ScheduleView> {
  validate(input);
  const rule = {
    frequency: input.frequency,
    day_of_week: input.frequency === 'weekly' ? (input.day_of_week ?? null) : null,
    day_of_month: input.frequency === 'monthly' ? (input.day_of_month ?? null) : null,
    time_of_day: input.time_of_day,
    time_zone: input.time_zone,
  };
  return ctx.db.withTenant(orgId, async (tx) => {
    const row = await tx.db
      .insertInto('report_schedules')
      .values({
        org_id: orgId,
        name: input.name,
        ...rule,
        recipients: JSON.stringify(input.recipients),
        next_run_at: nextRunAt(rule, new Date()),
        last_sent_at: null,
        last_error: null,
      })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    await appendAudit(tx, orgId, actor, {
      action: 'report_schedule.create',
      targetType: 'report_schedule',
      targetId: row.id,
      details: { name: input.name, frequency: input.frequency, recipients: input.recipients },
    });
    return toView(row);
  });
}

export async function listSchedules(ctx: AppContext, orgId: string): Promise<ScheduleView[]> {
  const rows = await ctx.db.withTenant(orgId, (tx) =>
    tx.db
      .selectFrom('report_schedules')
      .select(COLUMNS)
      .where('org_id', '=', orgId)
      .orderBy('created_at')
      .execute(),
  );
  return rows.map(toView);
}

async function loadSchedule(ctx: AppContext, orgId: string, id: string): Promise<Row> {
  const row = await ctx.db.withTenant(orgId, (tx) =>
    tx.db
      .selectFrom('report_schedules')
      .select(COLUMNS)
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst(),
  );
  if (!row) throw new AppError('not_found', `report ${id} not found`);
  return row;
}

export async function deleteSchedule(
  ctx: AppContext,
  orgId: string,
  actor: Actor,
  id: string,
): Promise<void> {
  await ctx.db.withTenant(orgId, async (tx) => {
    const gone = await tx.db
      .deleteFrom('report_schedules')
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .returning('name')
      .executeTakeFirst();
    if (!gone) throw new AppError('not_found', `report ${id} not found`);
    await appendAudit(tx, orgId, actor, {
      action: 'report_schedule.delete',
      targetType: 'report_schedule',
      targetId: id,
      details: { name: gone.name },
    });
  });
}

/**
 * Builds and mails one schedule's report for the period ending yesterday (org time zone),
 * and records the outcome. `advance` moves next_run_at on (scheduled runs; not "send now").
 */
export async function sendReport(
  ctx: AppContext,
  orgId: string,
  id: string,
  options: { advance: boolean; now?: Date } = { advance: false },
): Promise<{ sent_to: string[]; period_start: string; period_end: string }> {
  const schedule = await loadSchedule(ctx, orgId, id);
  const now = options.now ?? new Date();
  // The schedule's zone decides when it is sent; the period is in org days, like all usage.
  const period = reportPeriod(schedule.frequency, localDay(now, await orgTimeZoneOf(ctx, orgId)));
  let error: string | null = null;
  try {
    const email = await buildReport(ctx, orgId, { name: schedule.name, ...period });
    await sendReportMail(ctx, schedule.recipients, email);
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  }
  await ctx.db.withTenant(orgId, (tx) =>
    tx.db
      .updateTable('report_schedules')
      .set({
        ...(error ? { last_error: error } : { last_sent_at: now, last_error: null }),
        ...(options.advance ? { next_run_at: nextRunAt(schedule, now) } : {}),
        updated_at: new Date(),
      })
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .execute(),
  );
  if (error) throw new AppError('upstream_failed', `the report could not be sent: ${error}`);
  return { sent_to: schedule.recipients, period_start: period.start, period_end: period.end };
}
