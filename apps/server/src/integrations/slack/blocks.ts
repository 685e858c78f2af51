import type { AlertView } from '../../alerts/service.js';

/** A Block Kit block (kept structural: these are JSON documents Slack renders). */
export type SlackBlock = { type: string; block_id?: string; [key: string]: unknown };
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

export const ACTION = {
  acknowledge: 'toktra_alert_ack',
  ticket: 'toktra_alert_ticket',
  approve: 'toktra_reimbursement_approve',
  reject: 'toktra_reimbursement_reject',
} as const;

const plain = (text: string) => ({ type: 'plain_text', text: text.slice(0, 150), emoji: true });
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text: text.slice(0, 3000) });
const header = (text: string): SlackBlock => ({ type: 'header', text: plain(text) });
const context = (text: string): SlackBlock => ({ type: 'context', elements: [mrkdwn(text)] });

/** Slack mrkdwn control characters (`&`, `<`, `>`) must be escaped in user-supplied text. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export const formatNumber = (n: number) => Math.round(n).toLocaleString('en-US');
export const formatMoney = (n: number, currency = 'USD') =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency, maximumFractionDigits: 2 }).format(n);

export const ephemeral = (message: SlackMessage) => ({ response_type: 'ephemeral' as const, ...message });
export const errorMessage = (text: string) =>
  ephemeral({ text, blocks: [{ type: 'section', text: mrkdwn(text) }] });

export interface UsageLine {
  provider: string;
  tokens: number;
  cost: number;
}

/** `/toktra-usage`: tokens and cost per provider for the period, as an aligned table. */
export function usageCard(input: { name: string; periodLabel: string; lines: UsageLine[] }): SlackMessage {
  const total = input.lines.reduce((t, l) => ({ tokens: t.tokens + l.tokens, cost: t.cost + l.cost }), {
    tokens: 0,
    cost: 0,
  });
  const row = (a: string, b: string, c: string) => `${a.padEnd(16)}${b.padStart(14)}${c.padStart(12)}`;
  const rule = '─'.repeat(42);
  const table = [
    row('Provider', 'Tokens', 'Cost'),
    rule,
    ...input.lines.map((l) => row(providerLabel(l.provider), formatNumber(l.tokens), formatMoney(l.cost))),
    rule,
    row('Total', formatNumber(total.tokens), formatMoney(total.cost)),
  ].join('\n');
  const body = input.lines.length === 0 ? '_No AI usage recorded this period._' : `\`\`\`\n${table}\n\`\`\``;
  return {
    text: `Usage summary for ${input.name}, ${input.periodLabel}: ${formatNumber(total.tokens)} tokens, ${formatMoney(total.cost)}`,
    blocks: [
      header(`Usage Summary — ${input.name}`),
      context(`Period: ${input.periodLabel}`),
      { type: 'section', text: mrkdwn(body) },
    ],
  };
}

const PROVIDER_LABELS: Record<string, string> = {
  openai: 'OpenAI',
  anthropic: 'Anthropic',
  'azure-openai': 'Azure OpenAI',
  'google-vertex': 'Google Vertex',
  gemini: 'Gemini',
  'github-copilot': 'GitHub Copilot',
  'microsoft-copilot': 'Microsoft Copilot',
  mistral: 'Mistral',
  cohere: 'Cohere',
  perplexity: 'Perplexity',
  deepseek: 'DeepSeek',
};
const providerLabel = (p: string) => PROVIDER_LABELS[p] ?? p;

/** Green below 75 %, orange 75–90 %, red above 90 % (product page, /toktra-budget). */
export function budgetColour(pct: number): { emoji: string; colour: 'green' | 'orange' | 'red' } {
  if (pct > 90) return { emoji: '🔴', colour: 'red' };
  if (pct >= 75) return { emoji: '🟠', colour: 'orange' };
  return { emoji: '🟢', colour: 'green' };
}

export function progressBar(pct: number, width = 20): string {
  const filled = Math.max(0, Math.min(width, Math.round((pct / 100) * width)));
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

export interface BudgetFigures {
  unit: 'tokens' | 'cost';
  limit: number;
  spent: number;
  remaining: number;
  usedPct: number;
  threshold: number | null;
  periodLabel: string;
}

/** `/toktra-budget`: limit, spent, remaining, alert threshold and a coloured progress bar. */
export function budgetCard(b: BudgetFigures): SlackMessage {
  const fmt = (n: number) => (b.unit === 'cost' ? formatMoney(n) : `${formatNumber(n)} tokens`);
  const pct = `${b.usedPct.toFixed(1)}%`;
  const { emoji } = budgetColour(b.usedPct);
  return {
    text: `Budget status: ${fmt(b.spent)} of ${fmt(b.limit)} spent (${pct})`,
    blocks: [
      header('Budget Status'),
      context(`Period: ${b.periodLabel}`),
      {
        type: 'section',
        fields: [
          mrkdwn(`*Monthly limit*\n${fmt(b.limit)}`),
          mrkdwn(`*Spent*\n${fmt(b.spent)} (${pct})`),
          mrkdwn(`*Remaining*\n${fmt(b.remaining)}`),
          mrkdwn(`*Alert threshold*\n${b.threshold === null ? '—' : `${b.threshold}%`}`),
        ],
      },
      { type: 'section', text: mrkdwn(`${emoji} \`${progressBar(b.usedPct)}\` ${pct}`) },
    ],
  };
}

const SEVERITY_EMOJI: Record<string, string> = { low: '⚪', medium: '🟡', high: '🟠', critical: '🔴' };

/** An alert card; buttons until acknowledged, then who acknowledged it. */
export function alertBlocks(
  alert: Pick<AlertView, 'id' | 'severity' | 'title' | 'body' | 'source' | 'created_at'> & {
    status?: AlertView['status'];
  },
  options: { ticketButton: boolean; acknowledgedBy?: string; ticketUrl?: string },
): SlackBlock[] {
  const blocks: SlackBlock[] = [
    {
      type: 'section',
      block_id: `alert_${alert.id}`,
      text: mrkdwn(
        `${SEVERITY_EMOJI[alert.severity] ?? ''} *${escapeMrkdwn(alert.title)}*\n${escapeMrkdwn(alert.body || '')}`.trim(),
      ),
    },
    context(`Severity: *${alert.severity}* · Source: ${escapeMrkdwn(alert.source)} · ${alert.created_at}`),
  ];
  if (options.ticketUrl) blocks.push(context(`🎫 Ticket: <${options.ticketUrl}>`));
  if (options.acknowledgedBy || alert.status === 'acknowledged') {
    blocks.push(context(`✅ Acknowledged by ${options.acknowledgedBy ?? 'an admin'}`));
  }
  const elements: SlackBlock[] = [];
  if (!options.acknowledgedBy && alert.status !== 'acknowledged') {
    elements.push({
      type: 'button',
      action_id: ACTION.acknowledge,
      text: plain('Acknowledge'),
      style: 'primary',
      value: alert.id,
    });
  }
  if (options.ticketButton && !options.ticketUrl) {
    elements.push({
      type: 'button',
      action_id: ACTION.ticket,
      text: plain('Create ticket'),
      value: alert.id,
    });
  }
  if (elements.length > 0) blocks.push({ type: 'actions', block_id: `alert_actions_${alert.id}`, elements });
  return blocks;
}

export function alertMessage(
  alert: Parameters<typeof alertBlocks>[0],
  options: Parameters<typeof alertBlocks>[1],
): SlackMessage {
  return { text: `[${alert.severity}] ${alert.title}`, blocks: alertBlocks(alert, options) };
}

/** `/toktra-alerts`: one card per alert (Slack allows 50 blocks, so cards are kept compact). */
export function alertListMessage(alerts: AlertView[], ticketButton: boolean, filter: string): SlackMessage {
  if (alerts.length === 0) {
    return { text: 'No alerts', blocks: [{ type: 'section', text: mrkdwn(`No alerts${filter}.`) }] };
  }
  const perAlert = alerts.map((a) => alertBlocks(a, { ticketButton }));
  // 50 blocks at most: a header plus as many whole cards as fit.
  const blocks: SlackBlock[] = [header(`Recent alerts${filter}`)];
  for (const card of perAlert) {
    if (blocks.length + card.length + 1 > 50) break;
    blocks.push(...card, { type: 'divider' });
  }
  return { text: `${alerts.length} recent alerts`, blocks };
}

export interface ReimbursementCard {
  id: string;
  employeeName: string;
  employeeEmail: string;
  amount: number;
  currency: string;
  period: string;
  note: string;
  status: 'submitted' | 'approved' | 'rejected';
  decidedBy?: string | undefined;
}

/** The approver's DM: details plus Approve / Reject until decided. */
export function reimbursementMessage(r: ReimbursementCard): SlackMessage {
  const blocks: SlackBlock[] = [
    header('Reimbursement request'),
    {
      type: 'section',
      block_id: `reimbursement_${r.id}`,
      fields: [
        mrkdwn(`*Employee*\n${escapeMrkdwn(r.employeeName)} (${escapeMrkdwn(r.employeeEmail)})`),
        mrkdwn(`*Amount*\n${formatMoney(r.amount, r.currency)}`),
        mrkdwn(`*Period*\n${r.period}`),
        mrkdwn(`*Note*\n${r.note ? escapeMrkdwn(r.note) : '—'}`),
      ],
    },
  ];
  if (r.status === 'submitted') {
    blocks.push({
      type: 'actions',
      block_id: `reimbursement_actions_${r.id}`,
      elements: [
        { type: 'button', action_id: ACTION.approve, style: 'primary', text: plain('Approve'), value: r.id },
        {
          type: 'button',
          action_id: ACTION.reject,
          style: 'danger',
          text: plain('Reject'),
          value: r.id,
          confirm: {
            title: plain('Reject request?'),
            text: plain('The employee will be notified.'),
            confirm: plain('Reject'),
            deny: plain('Cancel'),
          },
        },
      ],
    });
  } else {
    const verb = r.status === 'approved' ? '✅ Approved' : '❌ Rejected';
    blocks.push(context(`${verb}${r.decidedBy ? ` by ${escapeMrkdwn(r.decidedBy)}` : ''}`));
  }
  return {
    text: `Reimbursement request from ${r.employeeName}: ${formatMoney(r.amount, r.currency)} for ${r.period}`,
    blocks,
  };
}

/** The employee's DM about the outcome. */
export function reimbursementOutcomeMessage(r: ReimbursementCard): SlackMessage {
  const text =
    r.status === 'approved'
      ? `Your reimbursement request of ${formatMoney(r.amount, r.currency)} for ${r.period} was approved and will be paid with payroll.`
      : `Your reimbursement request of ${formatMoney(r.amount, r.currency)} for ${r.period} was rejected.`;
  return { text, blocks: [{ type: 'section', text: mrkdwn(text) }] };
}
