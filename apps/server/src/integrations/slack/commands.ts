import { z } from 'zod';
import { listAlerts } from '../../alerts/service.js';
import { can, type Principal, scopesForRole } from '../../auth/permissions.js';
import { orgScope } from '../../auth/scope.js';
import { getDepartmentTree } from '../../budgets/tree-view.js';
import type { AppContext } from '../../context.js';
import type { Severity } from '../../governance/bus.js';
import { queryUsage } from '../../usage/query.js';
import { dayInZone } from '../../usage/time-zone.js';
import { hasActiveConnector } from '../itsm/service.js';
import { alertListMessage, budgetCard, ephemeral, errorMessage, usageCard } from './blocks.js';
import type { ResolvedInstallation } from './installations.js';
import type { ToktraUser } from './users.js';

export type CommandReply = ReturnType<typeof ephemeral> | ReturnType<typeof errorMessage>;

/**
 * The Slack caller as the API would see them signed in, so a command grants exactly what the API
 * grants (`can` from the one authorization module). Department reach is not loaded: commands that
 * read other people's data require org-wide permissions.
 */
export function slackPrincipalOf(inst: ResolvedInstallation, user: ToktraUser): Principal {
  return {
    orgId: inst.orgId,
    kind: 'user',
    userId: user.id,
    role: user.role,
    scopes: scopesForRole(user.role),
  };
}
const SEVERITIES: Severity[] = ['low', 'medium', 'high', 'critical'];
export const MAX_ALERTS = 50;

function monthLabel(period: string): string {
  const [y, m] = period.split('-').map(Number);
  return new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, 1)).toLocaleString('en-US', {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });
}

/** `/toktra-usage [email]`: the caller's usage (or, for admins, anyone's) this calendar month. */
export async function usageCommand(
  ctx: AppContext,
  inst: ResolvedInstallation,
  caller: ToktraUser,
  text: string,
): Promise<CommandReply> {
  const arg = text.trim();
  let target = caller;
  if (arg) {
    // Slack turns typed emails into <mailto:a@b|a@b>.
    const email = arg.replace(/^<mailto:([^|>]+)(\|[^>]*)?>$/, '$1');
    if (!z.email().safeParse(email).success || /\s/.test(arg)) {
      return errorMessage(
        'Usage: `/toktra-usage` for your own usage, or `/toktra-usage alice@company.com` (admins).',
      );
    }
    if (email.toLowerCase() !== caller.email.toLowerCase()) {
      if (!can(slackPrincipalOf(inst, caller), 'users:write'))
        return errorMessage('Only Toktra admins can look up another person’s usage.');
      const other = await ctx.db.withTenant(inst.orgId, ({ db }) =>
        db
          .selectFrom('users')
          .select(['id', 'email', 'name', 'role', 'department_id'])
          .where('org_id', '=', inst.orgId)
          .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
          .executeTakeFirst(),
      );
      if (!other) return errorMessage(`No Toktra user has the email ${email}.`);
      target = other;
    }
  }
  const org = await ctx.db.withTenant(inst.orgId, ({ db }) =>
    db.selectFrom('orgs').select('time_zone').where('id', '=', inst.orgId).executeTakeFirstOrThrow(),
  );
  const today = dayInZone(new Date(), org.time_zone);
  const period = today.slice(0, 7);
  // Another person's usage needs users:write (checked above); the target is within that reach.
  const report = await queryUsage(ctx.db, orgScope(inst.orgId), {
    userId: target.id,
    groupBy: 'provider',
    startDate: `${period}-01`,
    endDate: today,
  });
  // A person's usage is never reconciled (providers do not know our people): the estimates,
  // each priced by its own model (queryUsage's est_cost), not by the provider's fallback price.
  const lines = report.data
    .map((row) => ({
      provider: String(row.provider),
      tokens: row.est_input_tokens + row.est_output_tokens,
      cost: row.est_cost,
    }))
    .filter((l) => l.tokens > 0)
    .sort((a, b) => b.tokens - a.tokens);
  return ephemeral(usageCard({ name: target.name || target.email, periodLabel: monthLabel(period), lines }));
}

/** `/toktra-budget`: the whole-org budget of this period. */
export async function budgetCommand(ctx: AppContext, inst: ResolvedInstallation): Promise<CommandReply> {
  const tree = await getDepartmentTree(ctx, inst.orgId);
  const b = tree.org.budget;
  if (!b)
    return errorMessage('No organization-wide budget is set. An admin can add one under Budgets in Toktra.');
  // The (lowest) configured alert threshold, as on the budget page.
  const next = b.thresholds[0];
  return ephemeral(
    budgetCard({
      unit: b.unit,
      limit: b.effective_limit,
      spent: b.spent,
      remaining: b.remaining,
      usedPct: b.used_pct,
      threshold: next ?? null,
      periodLabel: monthLabel(tree.period),
    }),
  );
}

const ALERTS_USAGE =
  'Usage: `/toktra-alerts [severity:<low|medium|high|critical>] [limit:<1-50>]`, e.g. `/toktra-alerts severity:critical limit:5`.';

export type AlertArgs = { ok: true; severity?: Severity; limit: number } | { ok: false; message: string };

/** Parses `severity:<level>` and `limit:<n>` (default 10, max 50); anything else is explained. */
export function parseAlertArgs(text: string): AlertArgs {
  let severity: Severity | undefined;
  let limit = 10;
  for (const token of text.trim().split(/\s+/).filter(Boolean)) {
    const [key, value, ...rest] = token.split(':');
    if (rest.length > 0 || value === undefined || value === '') {
      return { ok: false, message: `I don’t understand “${token}”. ${ALERTS_USAGE}` };
    }
    if (key?.toLowerCase() === 'severity') {
      const level = value.toLowerCase() as Severity;
      if (!SEVERITIES.includes(level)) {
        return {
          ok: false,
          message: `“${value}” is not a severity (low, medium, high or critical). ${ALERTS_USAGE}`,
        };
      }
      severity = level;
    } else if (key?.toLowerCase() === 'limit') {
      const n = Number(value);
      if (!/^\d+$/.test(value) || n < 1 || n > MAX_ALERTS) {
        return {
          ok: false,
          message: `limit must be a whole number from 1 to ${MAX_ALERTS}. ${ALERTS_USAGE}`,
        };
      }
      limit = n;
    } else {
      return { ok: false, message: `Unknown argument “${key}”. ${ALERTS_USAGE}` };
    }
  }
  return severity ? { ok: true, severity, limit } : { ok: true, limit };
}

/** `/toktra-alerts`: recent alerts as cards with Acknowledge (and Create ticket when an ITSM is set). */
export async function alertsCommand(
  ctx: AppContext,
  inst: ResolvedInstallation,
  caller: ToktraUser,
  text: string,
): Promise<CommandReply> {
  const args = parseAlertArgs(text);
  if (!args.ok) return errorMessage(args.message);
  // The same permission as `GET /v1/alerts`: org-wide governance readers (admins, auditors).
  if (!can(slackPrincipalOf(inst, caller), 'audit:read')) {
    return errorMessage('Only Toktra admins and auditors can list alerts.');
  }
  const alerts = await listAlerts(ctx.db, inst.orgId, {
    limit: args.limit,
    ...(args.severity ? { severity: args.severity } : {}),
  });
  const filter = args.severity ? ` (severity: ${args.severity})` : '';
  return ephemeral(alertListMessage(alerts, await hasActiveConnector(ctx, inst.orgId), filter));
}
