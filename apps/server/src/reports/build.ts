import { orgScope } from '../auth/scope.js';
import { getDepartmentTree } from '../budgets/tree-view.js';
import type { AppContext } from '../context.js';
import { scoreUsers } from '../efficiency/service.js';
import { csvCell } from '../exports/writer.js';
import { queryUsage } from '../usage/query.js';
import { addDays } from '../usage/time-zone.js';
import { paletteHex, renderStackedBars } from './png.js';

export interface ReportEmail {
  subject: string;
  text: string;
  html: string;
  attachments: Array<{ filename: string; content: Buffer | string; contentType: string; cid?: string }>;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const tokensOf = (r: { est_input_tokens: number; est_output_tokens: number }) =>
  r.est_input_tokens + r.est_output_tokens;

function table(headers: string[], rows: Array<Array<string | number>>): string {
  const th = headers.map((h) => `<th align="left" style="padding:4px 8px">${esc(h)}</th>`).join('');
  const tr = rows
    .map((r) => `<tr>${r.map((c) => `<td style="padding:4px 8px">${esc(c)}</td>`).join('')}</tr>`)
    .join('');
  return `<table style="border-collapse:collapse;font-size:13px"><tr>${th}</tr>${tr}</table>`;
}

async function budgetRows(ctx: AppContext, orgId: string): Promise<Array<Array<string | number>>> {
  try {
    const tree = await getDepartmentTree(ctx, orgId);
    const rows: Array<Array<string | number>> = [];
    if (tree.org.budget) rows.push(['Whole organisation', ...gauge(tree.org.budget)]);
    const walk = (nodes: typeof tree.departments) => {
      for (const n of nodes) {
        if (n.budget) rows.push([n.name, ...gauge(n.budget)]);
        walk(n.children);
      }
    };
    walk(tree.departments);
    return rows;
  } catch (err) {
    // Budgets are one section of the report; their absence must not stop the rest.
    ctx.logger.warn({ err, orgId }, 'report: budget section unavailable');
    return [];
  }
}

function gauge(b: { spent: number; effective_limit: number; used_pct: number; unit: string; cap: string }) {
  return [fmt(b.spent), `${fmt(b.effective_limit)} ${b.unit}`, `${Math.round(b.used_pct)}%`, b.cap];
}

/**
 * The scheduled report for one period: usage by provider and model, top users, budget use
 * against limits, efficiency scores with coaching highlights, a PNG chart of daily tokens per
 * provider (inline, cid) and the per-user usage as a CSV attachment.
 */
export async function buildReport(
  ctx: AppContext,
  orgId: string,
  input: { name: string; start: string; end: string },
): Promise<ReportEmail> {
  // Scheduled reports go to the org's admins: the whole org is their reach.
  const scope = orgScope(orgId);
  const range = { startDate: input.start, endDate: input.end };
  const [totals, providers, models, users] = await Promise.all([
    queryUsage(ctx.db, scope, range),
    queryUsage(ctx.db, scope, { ...range, groupBy: 'provider' }),
    queryUsage(ctx.db, scope, { ...range, groupBy: 'model' }),
    queryUsage(ctx.db, scope, { ...range, groupBy: 'user' }),
  ]);
  const providerNames = providers.data.map((p) => String(p.provider)).slice(0, 6);
  const days: string[] = [];
  for (let d = input.start; d <= input.end; d = addDays(d, 1)) days.push(d);
  const perProvider = await Promise.all(
    providerNames.map((provider) => queryUsage(ctx.db, scope, { ...range, provider, groupBy: 'day' })),
  );
  const stacks = days.map((day) =>
    perProvider.map((report) => {
      const row = report.data.find((r) => r.date === day);
      return row ? tokensOf(row) : 0;
    }),
  );
  const chart = renderStackedBars(stacks);
  const scores = await scoreUsers(ctx, orgScope(orgId), { endDay: input.end });
  const scored = scores.users.filter((u) => u.score !== null).sort((a, b) => (b.score ?? 0) - (a.score ?? 0));
  const coaching = scores.users.filter((u) => u.coaching.length > 0).slice(0, 5);
  const budgets = await budgetRows(ctx, orgId);
  const top = users.data.slice(0, 10);
  const total = tokensOf(totals.totals);
  const legend = providerNames
    .map((p, i) => `<span style="color:${paletteHex(i)}">■</span> ${esc(p)}`)
    .join(' &nbsp; ');
  const html = [
    `<h2>${esc(input.name)}: ${esc(input.start)} – ${esc(input.end)}</h2>`,
    `<p>${fmt(total)} tokens in ${fmt(totals.totals.events)} AI calls.</p>`,
    '<h3>Tokens per day by provider</h3>',
    `<img src="cid:usage-chart" alt="Tokens per day by provider" width="640" height="240"><br>${legend}`,
    '<h3>Usage by provider</h3>',
    table(
      ['Provider', 'Tokens', 'Calls'],
      providers.data.map((p) => [String(p.provider), fmt(tokensOf(p)), fmt(p.events)]),
    ),
    '<h3>Usage by model</h3>',
    table(
      ['Model', 'Tokens', 'Calls'],
      models.data.map((m) => [
        String(m.model ?? 'unknown (network-observed)'),
        fmt(tokensOf(m)),
        fmt(m.events),
      ]),
    ),
    '<h3>Top users by token volume</h3>',
    table(
      ['User', 'Tokens', 'Calls'],
      top.map((u) => [
        String(u.user_name ?? u.user_email ?? 'unattributed'),
        fmt(tokensOf(u)),
        fmt(u.events),
      ]),
    ),
    '<h3>Budget utilisation</h3>',
    budgets.length
      ? table(['Budget', 'Spent', 'Limit', 'Used', 'Cap'], budgets)
      : '<p>No budgets are set.</p>',
    '<h3>Efficiency scores</h3>',
    scored.length
      ? table(
          ['User', 'Score', 'Trend', 'Tier'],
          scored.slice(0, 10).map((u) => [u.name, u.score ?? '', u.trend, u.tier]),
        )
      : '<p>Not enough activity to score anyone yet.</p>',
    '<h3>Coaching highlights</h3>',
    coaching.length
      ? `<ul>${coaching.map((u) => `<li><b>${esc(u.name)}</b>: ${esc(u.coaching.join(' '))}</li>`).join('')}</ul>`
      : '<p>Nothing to flag.</p>',
    '<p style="color:#64748b;font-size:12px">Per-user usage is attached as CSV. Toktra sees metadata only, never content.</p>',
  ].join('\n');
  const text = [
    `${input.name}: ${input.start} – ${input.end}`,
    `${fmt(total)} tokens in ${fmt(totals.totals.events)} AI calls.`,
    '',
    'By provider:',
    ...providers.data.map((p) => `  ${p.provider}: ${fmt(tokensOf(p))} tokens`),
    '',
    'Top users:',
    ...top.map((u) => `  ${u.user_name ?? u.user_email ?? 'unattributed'}: ${fmt(tokensOf(u))} tokens`),
    '',
    'Coaching highlights:',
    ...coaching.map((u) => `  ${u.name}: ${u.coaching.join(' ')}`),
  ].join('\n');
  const columns = ['user_id', 'user_email', 'user_name', 'events', 'est_input_tokens', 'est_output_tokens'];
  const csv = [
    columns.join(','),
    ...users.data.map((u) => columns.map((c) => csvCell(u[c] as string | number | null)).join(',')),
  ].join('\n');
  return {
    subject: `Toktra ${input.name}: ${input.start} – ${input.end}`,
    text,
    html,
    attachments: [
      { filename: 'usage-chart.png', content: chart, contentType: 'image/png', cid: 'usage-chart' },
      { filename: `usage-${input.start}-${input.end}.csv`, content: `${csv}\n`, contentType: 'text/csv' },
    ],
  };
}
