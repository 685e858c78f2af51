import { AppError, type Decision } from '@toktra/core';
import type { AppContext } from '../context.js';
import { checkModelTier } from '../efficiency/tiers.js';
import type { OrgState } from './org-state.js';

export interface PreflightInput {
  user_id?: string | undefined;
  user_email?: string | undefined;
  provider?: string | undefined;
  model?: string | undefined;
  /** Tokens the coming request is expected to use; reserved until its usage arrives. */
  estimated_tokens?: number | undefined;
}

export interface PreflightAnswer {
  allow: boolean;
  reason: string;
  remaining_tokens: number | null;
  code: Decision['code'];
  budget_id: string | null;
  user_id: string;
  period: string;
}

function resolveUser(state: OrgState, input: PreflightInput): string | undefined {
  if (input.user_id) return state.config.userDept.has(input.user_id) ? input.user_id : undefined;
  return state.config.emailToUser.get((input.user_email ?? '').toLowerCase());
}

/**
 * Allow or deny one LLM request. The hot path is synchronous over in-memory state: the database
 * is read only to load an org the first time, after a budget change, or for a user the state
 * does not know yet (created since it loaded).
 */
export async function preflight(
  ctx: AppContext,
  orgId: string,
  input: PreflightInput,
): Promise<PreflightAnswer> {
  let state = ctx.preflight.peek(orgId) ?? (await ctx.preflight.get(ctx, orgId));
  let userId = resolveUser(state, input);
  if (!userId) {
    ctx.preflight.invalidate(orgId);
    state = await ctx.preflight.get(ctx, orgId);
    userId = resolveUser(state, input);
  }
  if (!userId)
    throw new AppError(
      'not_found',
      input.user_id ? `user ${input.user_id} not found` : `no user with email ${input.user_email}`,
    );
  const reserve = input.estimated_tokens ?? ctx.preflight.options.defaultReserveTokens;
  let d = state.decide(userId, input.provider ?? null, input.model ?? null, reserve);
  // Model access tiers (efficiency/tiers.ts): a budget-allowed request for a model above the
  // person's tier is denied. The tier is cached per process, so this stays off the database.
  const tierDenial = d.allow ? await checkModelTier(ctx, orgId, userId, input.model) : null;
  if (tierDenial) d = { ...d, allow: false, code: 'blocked', reason: tierDenial.reason };
  return {
    allow: d.allow,
    reason: d.reason,
    remaining_tokens: d.remainingTokens,
    code: d.code,
    budget_id: d.budgetId,
    user_id: userId,
    period: state.config.period.key,
  };
}
