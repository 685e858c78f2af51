import { AppError } from '@toktra/core';
import { sql } from 'kysely';
import { userIdsInScope } from '../auth/reach.js';
import { inReach, type Scope } from '../auth/scope.js';
import type { AppContext } from '../context.js';
import { dayInZone } from '../usage/time-zone.js';
import { computeScorecards, type Scorecard, type ScorecardMetrics, type SubjectType } from './compute.js';
import { orgTimeZoneOf } from './org-day.js';

/** Computes and stores one org's scorecards for `day` (default today, org time zone). Idempotent. */
export async function refreshScorecards(ctx: AppContext, orgId: string, day?: string): Promise<string> {
  const asOf = day ?? dayInZone(Date.now(), await orgTimeZoneOf(ctx, orgId));
  await ctx.db.withTenant(orgId, async (tx) => {
    const cards = await computeScorecards(tx, orgId, asOf);
    await tx.db.deleteFrom('scorecards').where('org_id', '=', orgId).where('day', '=', asOf).execute();
    for (const card of cards) {
      await tx.db
        .insertInto('scorecards')
        .values({
          org_id: orgId,
          subject_type: card.subject_type,
          subject_id: card.subject_id,
          day: asOf,
          metrics: JSON.stringify({ name: card.name, ...card.metrics }),
        })
        .execute();
    }
  });
  return asOf;
}

/**
 * The latest stored scorecards of one kind (computed now if the nightly job has not run yet),
 * optionally one subject. A foreign or unknown subject id is `not_found`.
 */
export async function listScorecards(
  ctx: AppContext,
  scope: Scope,
  query: { subjectType: SubjectType; subjectId?: string | undefined },
): Promise<{ day: string; scorecards: Scorecard[] }> {
  const orgId = scope.orgId;
  const latest = async () =>
    ctx.db.withTenant(orgId, (tx) =>
      tx.db
        .selectFrom('scorecards')
        .select(sql<string>`max(day)::text`.as('day'))
        .where('org_id', '=', orgId)
        .executeTakeFirst(),
    );
  let day = (await latest())?.day ?? null;
  if (!day) day = await refreshScorecards(ctx, orgId);
  const rows = await ctx.db.withTenant(orgId, (tx) =>
    tx.db
      .selectFrom('scorecards')
      .select(['subject_type', 'subject_id', 'metrics'])
      .where('org_id', '=', orgId)
      .where('day', '=', day as string)
      .where('subject_type', '=', query.subjectType)
      .$if(query.subjectId !== undefined, (q) => q.where('subject_id', '=', query.subjectId as string))
      .execute(),
  );
  // Beyond org-wide reach: only people within reach, teams led by them, departments in the subtree.
  const users = await userIdsInScope(ctx.db, scope);
  const visible = users
    ? rows.filter((r) =>
        r.subject_type === 'department'
          ? inReach(scope, { departmentId: r.subject_id })
          : users.has(r.subject_id),
      )
    : rows;
  if (query.subjectId && visible.length === 0) {
    throw new AppError('not_found', `no ${query.subjectType} scorecard for ${query.subjectId}`);
  }
  const scorecards = visible
    .map((r) => {
      const { name, ...metrics } = r.metrics as unknown as ScorecardMetrics & { name: string };
      return { subject_type: r.subject_type, subject_id: r.subject_id, name, metrics };
    })
    .sort((x, y) => x.name.localeCompare(y.name));
  return { day, scorecards };
}
