import { AppError } from '@toktra/core';

/** What a ticket says; the Jira client turns it into an ADF document. */
export interface TicketContent {
  summary: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  description: string;
  /** Facts listed under the description (source, time, alert id). */
  facts: Array<[string, string]>;
  link?: string | undefined;
  /** Our alert id: ServiceNow's `correlation_id` (idempotency on their side). */
  correlationId: string;
}

export interface CreatedTicket {
  externalId: string;
  key: string;
  url: string;
}

export interface ServiceNowSettings {
  baseUrl: string;
  table: string;
  username: string;
  password: string;
}

export interface JiraSettings {
  baseUrl: string;
  projectKey: string;
  issueType: string;
  email: string;
  apiToken: string;
}

const TIMEOUT_MS = 10_000;
const basic = (user: string, secret: string) =>
  `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;
const trimBase = (url: string) => url.replace(/\/+$/, '');

async function call(
  url: string,
  init: RequestInit,
  what: string,
): Promise<{ status: number; body: unknown }> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    throw new AppError('upstream_failed', `${what} is unreachable: ${(error as Error).message}`);
  }
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // Keep the text: an HTML error page is still worth showing.
  }
  return { status: res.status, body };
}

function failure(what: string, status: number, body: unknown): AppError {
  const detail =
    typeof body === 'object' && body !== null
      ? JSON.stringify(
          (body as { errorMessages?: unknown; errors?: unknown; error?: unknown }).errors ??
            (body as { error?: unknown }).error ??
            (body as { errorMessages?: unknown }).errorMessages ??
            body,
        )
      : String(body).slice(0, 200);
  return new AppError('upstream_failed', `${what} answered ${status}: ${detail.slice(0, 300)}`);
}

/** ServiceNow urgency/impact: "1" high, "2" medium, "3" low (priority is derived by ServiceNow). */
const SN_LEVEL: Record<TicketContent['severity'], string> = {
  critical: '1',
  high: '1',
  medium: '2',
  low: '3',
};

/** `POST /api/now/table/<table>` with basic auth; the incident number and a link come back. */
export async function createServiceNowIncident(
  s: ServiceNowSettings,
  t: TicketContent,
): Promise<CreatedTicket> {
  const base = trimBase(s.baseUrl);
  const description = [t.description, '', ...t.facts.map(([k, v]) => `${k}: ${v}`), t.link ?? '']
    .join('\n')
    .trim();
  const { status, body } = await call(
    `${base}/api/now/table/${encodeURIComponent(s.table)}?sysparm_fields=sys_id,number`,
    {
      method: 'POST',
      headers: {
        authorization: basic(s.username, s.password),
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify({
        short_description: t.summary.slice(0, 160),
        description,
        urgency: SN_LEVEL[t.severity],
        impact: SN_LEVEL[t.severity],
        category: 'inquiry',
        correlation_id: t.correlationId,
      }),
    },
    'ServiceNow',
  );
  const result = (body as { result?: { sys_id?: string; number?: string } } | null)?.result;
  if (status !== 201 && status !== 200) throw failure('ServiceNow', status, body);
  if (!result?.sys_id) throw failure('ServiceNow', status, body);
  return {
    externalId: result.sys_id,
    key: result.number ?? result.sys_id,
    url: `${base}/nav_to.do?uri=${encodeURIComponent(`${s.table}.do?sys_id=${result.sys_id}`)}`,
  };
}

export async function testServiceNow(s: ServiceNowSettings): Promise<void> {
  const { status, body } = await call(
    `${trimBase(s.baseUrl)}/api/now/table/${encodeURIComponent(s.table)}?sysparm_limit=1&sysparm_fields=sys_id`,
    { headers: { authorization: basic(s.username, s.password), accept: 'application/json' } },
    'ServiceNow',
  );
  if (status !== 200) throw failure('ServiceNow', status, body);
}

type AdfNode = { type: string; [key: string]: unknown };
const text = (value: string, marks?: AdfNode[]): AdfNode => ({
  type: 'text',
  text: value,
  ...(marks ? { marks } : {}),
});
const paragraph = (...content: AdfNode[]): AdfNode => ({ type: 'paragraph', content });

/** The ticket as an Atlassian Document Format document (Jira REST v3 `description`). */
export function toAdf(t: TicketContent): AdfNode {
  const content: AdfNode[] = [
    { type: 'heading', attrs: { level: 3 }, content: [text('What happened')] },
    paragraph(text(t.description || t.summary)),
    {
      type: 'bulletList',
      content: [['Severity', t.severity] as [string, string], ...t.facts].map(([k, v]) => ({
        type: 'listItem',
        content: [paragraph(text(`${k}: `, [{ type: 'strong' }]), text(v))],
      })),
    },
  ];
  if (t.link) {
    content.push(paragraph(text('Open in Toktra', [{ type: 'link', attrs: { href: t.link } }])));
  }
  return { type: 'doc', version: 1, content };
}

/** `POST /rest/api/3/issue` with basic auth (email + API token) and an ADF description. */
export async function createJiraIssue(s: JiraSettings, t: TicketContent): Promise<CreatedTicket> {
  const base = trimBase(s.baseUrl);
  const { status, body } = await call(
    `${base}/rest/api/3/issue`,
    {
      method: 'POST',
      headers: {
        authorization: basic(s.email, s.apiToken),
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify({
        fields: {
          project: { key: s.projectKey },
          issuetype: { name: s.issueType },
          summary: t.summary.slice(0, 250),
          labels: ['ai-governance', `severity-${t.severity}`],
          description: toAdf(t),
        },
      }),
    },
    'Jira',
  );
  const created = body as { id?: string; key?: string } | null;
  if (status !== 201 || !created?.id || !created.key) throw failure('Jira', status, body);
  return { externalId: created.id, key: created.key, url: `${base}/browse/${created.key}` };
}

export async function testJira(s: JiraSettings): Promise<void> {
  const { status, body } = await call(
    `${trimBase(s.baseUrl)}/rest/api/3/myself`,
    { headers: { authorization: basic(s.email, s.apiToken), accept: 'application/json' } },
    'Jira',
  );
  if (status !== 200) throw failure('Jira', status, body);
}
