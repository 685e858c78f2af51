import { orgScope } from '../auth/scope.js';
import type { AppContext } from '../context.js';
import { emitEvent } from '../events/outbox.js';
import { DEFAULT_WINDOW_DAYS, scoreTeams, scoreUsers } from './service.js';

/** Stores today's 30-day scores of every person and department of one org (idempotent upserts). */
export async function refreshEfficiencyScores(
  ctx: AppContext,
  orgId: string,
  endDay?: string,
): Promise<void> {
  const people = await scoreUsers(ctx, orgScope(orgId), { endDay, recompute: true });
  const teams = await scoreTeams(ctx, orgScope(orgId), { endDay: people.end_day, recompute: true });
  const rows = [
    // Everyone with usage in either window, scored or not: the dashboard reads these rows as
    // they are (efficiency/stored.ts), trend included.
    ...people.users
      .filter((u) => u.events > 0 || u.previous_score !== null)
      .map((u) => ({
        subject_type: 'user' as const,
        subject_id: u.user_id,
        score: u.score,
        components: JSON.stringify({ ...u.components, events: u.events, previous_score: u.previous_score }),
      })),
    ...teams.teams
      .filter((t) => t.score !== null)
      .map((t) => ({
        subject_type: 'department' as const,
        subject_id: t.department_id,
        score: t.score,
        components: JSON.stringify({ members: t.members, scored_members: t.scored_members }),
      })),
  ];
  await ctx.db.withTenant(orgId, async (tx) => {
    for (let i = 0; i < rows.length; i += 1000) {
      await tx.db
        .insertInto('efficiency_scores')
        .values(
          rows
            .slice(i, i + 1000)
            .map((row) => ({ org_id: orgId, day: people.end_day, window_days: DEFAULT_WINDOW_DAYS, ...row })),
        )
        .onConflict((oc) =>
          oc.columns(['org_id', 'subject_type', 'subject_id', 'day', 'window_days']).doUpdateSet((eb) => ({
            score: eb.ref('excluded.score'),
            components: eb.ref('excluded.components'),
            computed_at: new Date(),
          })),
        )
        .execute();
    }
    // New scores may move people between tiers: every process forgets the org's cached tiers.
    await emitEvent(ctx, tx, orgId, 'tier.changed', { userId: null });
  });
}
