import { orgScope } from '../auth/scope.js';
import type { AppContext } from '../context.js';
import { DEFAULT_WINDOW_DAYS, scoreTeams, scoreUsers } from './service.js';
import { forgetCachedTiers } from './tiers.js';

/** Stores today's 30-day scores of every person and department of one org (idempotent upserts). */
export async function refreshEfficiencyScores(
  ctx: AppContext,
  orgId: string,
  endDay?: string,
): Promise<void> {
  const people = await scoreUsers(ctx, orgScope(orgId), { endDay });
  const teams = await scoreTeams(ctx, orgScope(orgId), { endDay: people.end_day });
  const rows = [
    ...people.users
      .filter((u) => u.score !== null)
      .map((u) => ({
        subject_type: 'user' as const,
        subject_id: u.user_id,
        score: u.score as number,
        components: JSON.stringify({ ...u.components, events: u.events }),
      })),
    ...teams.teams
      .filter((t) => t.score !== null)
      .map((t) => ({
        subject_type: 'department' as const,
        subject_id: t.department_id,
        score: t.score as number,
        components: JSON.stringify({ members: t.members, scored_members: t.scored_members }),
      })),
  ];
  await ctx.db.withTenant(orgId, async (tx) => {
    for (const row of rows) {
      await tx.db
        .insertInto('efficiency_scores')
        .values({ org_id: orgId, day: people.end_day, window_days: DEFAULT_WINDOW_DAYS, ...row })
        .onConflict((oc) =>
          oc
            .columns(['org_id', 'subject_type', 'subject_id', 'day', 'window_days'])
            .doUpdateSet({ score: row.score, components: row.components, computed_at: new Date() }),
        )
        .execute();
    }
  });
  forgetCachedTiers(orgId);
}
