import { pseudonymFor, type TrendIndicator } from '@toktra/core';
import type { Scope } from '../auth/scope.js';
import type { AppContext } from '../context.js';
import { getInsightSecret } from './org-secret.js';
import { scoreUsersInScope } from './service.js';

export interface LeaderboardEntry {
  rank: number;
  /** Omitted (null) when anonymised. */
  user_id: string | null;
  /** The person's name, or a stable pseudonym such as "Falcon-3F2A" when anonymised. */
  display_name: string;
  score: number;
  trend: TrendIndicator;
}

/**
 * Ranks the scored people of a department subtree (or the org) by score; ties share a rank
 * (competition ranking: 1, 2, 2, 4). With `anonymize`, ids and names never leave the server:
 * each person is shown as an HMAC pseudonym under the org's secret, stable across requests.
 */
export async function getLeaderboard(
  ctx: AppContext,
  scope: Scope,
  query: { departmentId?: string | undefined; anonymize: boolean; windowDays?: number | undefined },
): Promise<{ end_day: string; window_days: number; anonymized: boolean; entries: LeaderboardEntry[] }> {
  const orgId = scope.orgId;
  return ctx.db.withTenant(orgId, async (tx) => {
    const set = await scoreUsersInScope(tx, scope, query);
    const secret = query.anonymize ? await getInsightSecret(tx, orgId) : undefined;
    const scored = set.users
      .filter((u): u is typeof u & { score: number } => u.score !== null)
      .sort((a, b) => b.score - a.score || a.user_id.localeCompare(b.user_id));
    const entries = scored.map((u, i): LeaderboardEntry => {
      const rank = scored.findIndex((other) => other.score === u.score) + 1;
      return {
        rank: rank > 0 ? rank : i + 1,
        user_id: secret ? null : u.user_id,
        display_name: secret ? pseudonymFor(secret, u.user_id) : u.name,
        score: u.score,
        trend: u.trend,
      };
    });
    return { end_day: set.end_day, window_days: set.window_days, anonymized: Boolean(secret), entries };
  });
}
