import { AppError } from '@toktra/core';
import type { Tx } from '@toktra/db';
import { sql } from 'kysely';
import type { Actor } from '../audit/service.js';
import { appendAudit } from '../audit/service.js';
import type { AppContext } from '../context.js';
import { requireEnrollment } from './lookup.js';
import { periodOf, previousPeriod, recordTimes } from './time.js';

/**
 * The perk budget (docs/token-perks.md). The org sets one monthly allowance per enrolled employee.
 * The employee — the only one who can read their personal usage — redeems an amount of their
 * choosing against a month; the server keeps the amounts to enforce the cap and never sees the
 * usage behind them. Admins see sums over enough employees that no one's amount shows (below).
 */
export interface AllowanceView {
  period: string;
  monthly_allowance_tokens: number;
  redeemed_tokens: number;
  remaining_tokens: number;
}

/** Aggregates over fewer distinct employees than this are withheld from admins. */
export const MIN_AGGREGATE_SIZE = 3;

async function monthlyAllowance(tx: Tx, orgId: string): Promise<number> {
  const row = await tx.db
    .selectFrom('perk_settings')
    .select('monthly_allowance_tokens')
    .where('org_id', '=', orgId)
    .executeTakeFirst();
  return Number(row?.monthly_allowance_tokens ?? 0);
}

async function redeemedIn(tx: Tx, orgId: string, enrollmentId: string, period: string, now: Date) {
  const row = await tx.db
    .selectFrom('perk_redemptions')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('amount_tokens'), sql<number>`0`).as('total'))
    .where('org_id', '=', orgId)
    .where('enrollment_id', '=', enrollmentId)
    .where('period', '=', period)
    .where('expires_at', '>', now)
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

export async function allowanceFor(
  tx: Tx,
  orgId: string,
  enrollmentId: string,
  now: Date,
  period = periodOf(now),
): Promise<AllowanceView> {
  const allowance = await monthlyAllowance(tx, orgId);
  const redeemed = await redeemedIn(tx, orgId, enrollmentId, period, now);
  return {
    period,
    monthly_allowance_tokens: allowance,
    redeemed_tokens: redeemed,
    remaining_tokens: Math.max(0, allowance - redeemed),
  };
}

/**
 * Redeems `amountTokens` of this or last month's allowance. Idempotent by `clientId` (a retry
 * returns the same balance); serialised per enrollment so two redemptions cannot overspend.
 */
export async function redeem(
  ctx: AppContext,
  orgId: string,
  userId: string,
  input: { period: string; amountTokens: number; clientId: string },
  now = new Date(),
): Promise<AllowanceView> {
  return ctx.db.withTenant(orgId, async (tx) => {
    const enrollment = await requireEnrollment(tx, orgId, userId);
    if (input.period !== periodOf(now) && input.period !== previousPeriod(now)) {
      throw new AppError('validation_failed', 'you can redeem against this month or last month only');
    }
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`perks:${enrollment.id}`}, 0))`.execute(tx.db);
    const seen = await tx.db
      .selectFrom('perk_redemptions')
      .select('id')
      .where('org_id', '=', orgId)
      .where('enrollment_id', '=', enrollment.id)
      .where('client_id', '=', input.clientId)
      .executeTakeFirst();
    if (!seen) {
      const before = await allowanceFor(tx, orgId, enrollment.id, now, input.period);
      if (input.amountTokens > before.remaining_tokens) {
        throw new AppError(
          'conflict',
          `only ${before.remaining_tokens} tokens of the ${input.period} allowance remain`,
          { remaining_tokens: before.remaining_tokens },
        );
      }
      await tx.db
        .insertInto('perk_redemptions')
        .values({
          org_id: orgId,
          enrollment_id: enrollment.id,
          period: input.period,
          amount_tokens: input.amountTokens,
          client_id: input.clientId,
          ...recordTimes(now),
        })
        .execute();
    }
    return allowanceFor(tx, orgId, enrollment.id, now, input.period);
  });
}

export interface PerksSummary {
  enrollments: number;
  monthly_allowance_tokens: number;
  min_aggregate_size: number;
  periods: Array<{
    period: string;
    /** Null when fewer than `min_aggregate_size` employees redeemed in the period. */
    redeemed_tokens: number | null;
    redeeming_employees: number | null;
  }>;
}

/** What admins see: counts and sums only, never a row that belongs to one person. */
export async function perksSummary(ctx: AppContext, orgId: string, now = new Date()): Promise<PerksSummary> {
  return ctx.db.withTenant(orgId, async (tx) => {
    const enrollments = await tx.db
      .selectFrom('perk_enrollments')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', orgId)
      .executeTakeFirstOrThrow();
    const periods = await tx.db
      .selectFrom('perk_redemptions')
      .select((eb) => [
        'period',
        eb.fn.sum<number>('amount_tokens').as('redeemed'),
        eb.fn.count<number>('enrollment_id').distinct().as('employees'),
      ])
      .where('org_id', '=', orgId)
      .where('expires_at', '>', now)
      .groupBy('period')
      .orderBy('period', 'desc')
      .execute();
    return {
      enrollments: Number(enrollments.n),
      monthly_allowance_tokens: await monthlyAllowance(tx, orgId),
      min_aggregate_size: MIN_AGGREGATE_SIZE,
      periods: periods.map((p) => {
        const shown = Number(p.employees) >= MIN_AGGREGATE_SIZE;
        return {
          period: p.period,
          redeemed_tokens: shown ? Number(p.redeemed) : null,
          redeeming_employees: shown ? Number(p.employees) : null,
        };
      }),
    };
  });
}

export async function setMonthlyAllowance(
  ctx: AppContext,
  orgId: string,
  actor: Actor,
  monthlyAllowanceTokens: number,
): Promise<{ monthly_allowance_tokens: number }> {
  return ctx.db.withTenant(orgId, async (tx) => {
    await tx.db
      .insertInto('perk_settings')
      .values({ org_id: orgId, monthly_allowance_tokens: monthlyAllowanceTokens })
      .onConflict((oc) =>
        oc
          .column('org_id')
          .doUpdateSet({ monthly_allowance_tokens: monthlyAllowanceTokens, updated_at: new Date() }),
      )
      .execute();
    await appendAudit(tx, orgId, actor, {
      action: 'perks.allowance_set',
      targetType: 'org',
      targetId: orgId,
      details: { monthly_allowance_tokens: monthlyAllowanceTokens },
    });
    return { monthly_allowance_tokens: monthlyAllowanceTokens };
  });
}
