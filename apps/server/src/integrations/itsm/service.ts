import { AppError } from '@toktra/core';
import type { ItsmKind, Tx } from '@toktra/db';
import { getAlert } from '../../alerts/service.js';
import { type Actor, appendAudit } from '../../audit/service.js';
import type { AppContext } from '../../context.js';
import { assertDeliverableUrl } from '../../delivery/ssrf.js';
import { decryptSecret, encryptSecret } from '../../secrets/service.js';
import {
  type CreatedTicket,
  createJiraIssue,
  createServiceNowIncident,
  type TicketContent,
  testJira,
  testServiceNow,
} from './clients.js';

export interface ServiceNowCredentials {
  username: string;
  password: string;
}
export interface JiraCredentials {
  email: string;
  api_token: string;
}

export interface ConnectorInput {
  kind: ItsmKind;
  name: string;
  base_url: string;
  credentials: ServiceNowCredentials | JiraCredentials;
  project_key?: string | undefined;
  issue_type?: string | undefined;
  table_name?: string | undefined;
  active?: boolean | undefined;
}

export type ConnectorPatch = Partial<Omit<ConnectorInput, 'kind'>>;

/** A connector as the API shows it: never the credentials. */
export interface ConnectorView {
  id: string;
  kind: ItsmKind;
  name: string;
  base_url: string;
  project_key: string | null;
  issue_type: string | null;
  table_name: string | null;
  active: boolean;
  last_tested_at: string | null;
  last_test_ok: boolean | null;
  created_at: string;
}

const COLUMNS = [
  'id',
  'kind',
  'name',
  'base_url',
  'project_key',
  'issue_type',
  'table_name',
  'active',
  'last_tested_at',
  'last_test_ok',
  'created_at',
] as const;

type Row = Omit<ConnectorView, 'created_at' | 'last_tested_at'> & {
  created_at: Date;
  last_tested_at: Date | null;
};
const toView = (r: Row): ConnectorView => ({
  ...r,
  created_at: r.created_at.toISOString(),
  last_tested_at: r.last_tested_at?.toISOString() ?? null,
});
const credentialContext = (id: string) => `itsm_connector:${id}`;

function assertShape(kind: ItsmKind, input: Partial<ConnectorInput>): void {
  const c = input.credentials as Record<string, unknown> | undefined;
  if (kind === 'servicenow' && c && (typeof c.username !== 'string' || typeof c.password !== 'string')) {
    throw new AppError('validation_failed', 'ServiceNow credentials are {username, password}');
  }
  if (kind === 'jira') {
    if (c && (typeof c.email !== 'string' || typeof c.api_token !== 'string')) {
      throw new AppError('validation_failed', 'Jira credentials are {email, api_token}');
    }
    if (input.project_key === '') throw new AppError('validation_failed', 'project_key is required for Jira');
  }
}

export async function createConnector(
  ctx: AppContext,
  orgId: string,
  actor: Actor,
  input: ConnectorInput,
): Promise<ConnectorView> {
  assertShape(input.kind, input);
  if (input.kind === 'jira' && !input.project_key)
    throw new AppError('validation_failed', 'project_key is required for Jira');
  const url = await assertDeliverableUrl(input.base_url, ctx.config.allowPrivateUrls);
  return ctx.db.withTenant(orgId, async (tx) => {
    const { id } = await tx.db
      .insertInto('itsm_connectors')
      .values({
        org_id: orgId,
        kind: input.kind,
        name: input.name,
        base_url: url.origin + url.pathname.replace(/\/+$/, ''),
        credentials: 'pending',
        project_key: input.project_key ?? null,
        issue_type: input.kind === 'jira' ? (input.issue_type ?? 'Task') : null,
        table_name: input.kind === 'servicenow' ? (input.table_name ?? 'incident') : null,
        active: input.active ?? true,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    // Bound to the row id, so a blob copied onto another connector does not decrypt.
    await tx.db
      .updateTable('itsm_connectors')
      .set({ credentials: encryptSecret(ctx, JSON.stringify(input.credentials), credentialContext(id)) })
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .execute();
    await appendAudit(tx, orgId, actor, {
      action: 'itsm.connector.create',
      targetType: 'itsm_connector',
      targetId: id,
      details: { kind: input.kind, name: input.name, base_url: input.base_url },
    });
    return getConnectorIn(tx, orgId, id);
  });
}

async function getConnectorIn(tx: Tx, orgId: string, id: string): Promise<ConnectorView> {
  const row = await tx.db
    .selectFrom('itsm_connectors')
    .select(COLUMNS)
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw new AppError('not_found', `ITSM connector ${id} not found`);
  return toView(row);
}

export async function getConnector(ctx: AppContext, orgId: string, id: string): Promise<ConnectorView> {
  return ctx.db.withTenant(orgId, (tx) => getConnectorIn(tx, orgId, id));
}

export async function listConnectors(ctx: AppContext, orgId: string): Promise<ConnectorView[]> {
  const rows = await ctx.db.withTenant(orgId, ({ db }) =>
    db
      .selectFrom('itsm_connectors')
      .select(COLUMNS)
      .where('org_id', '=', orgId)
      .orderBy('created_at')
      .execute(),
  );
  return rows.map(toView);
}

export async function hasActiveConnector(ctx: AppContext, orgId: string): Promise<boolean> {
  const row = await ctx.db.withTenant(orgId, ({ db }) =>
    db
      .selectFrom('itsm_connectors')
      .select('id')
      .where('org_id', '=', orgId)
      .where('active', '=', true)
      .executeTakeFirst(),
  );
  return !!row;
}

export async function updateConnector(
  ctx: AppContext,
  orgId: string,
  actor: Actor,
  id: string,
  patch: ConnectorPatch,
): Promise<ConnectorView> {
  const current = await getConnector(ctx, orgId, id);
  assertShape(current.kind, patch);
  const url = patch.base_url
    ? await assertDeliverableUrl(patch.base_url, ctx.config.allowPrivateUrls)
    : undefined;
  return ctx.db.withTenant(orgId, async (tx) => {
    await tx.db
      .updateTable('itsm_connectors')
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(url ? { base_url: url.origin + url.pathname.replace(/\/+$/, '') } : {}),
        ...(patch.credentials
          ? { credentials: encryptSecret(ctx, JSON.stringify(patch.credentials), credentialContext(id)) }
          : {}),
        ...(patch.project_key !== undefined ? { project_key: patch.project_key } : {}),
        ...(patch.issue_type !== undefined ? { issue_type: patch.issue_type } : {}),
        ...(patch.table_name !== undefined ? { table_name: patch.table_name } : {}),
        ...(patch.active !== undefined ? { active: patch.active } : {}),
        updated_at: new Date(),
      })
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .execute();
    await appendAudit(tx, orgId, actor, {
      action: 'itsm.connector.update',
      targetType: 'itsm_connector',
      targetId: id,
      details: { fields: Object.keys(patch) },
    });
    return getConnectorIn(tx, orgId, id);
  });
}

export async function deleteConnector(
  ctx: AppContext,
  orgId: string,
  actor: Actor,
  id: string,
): Promise<void> {
  await ctx.db.withTenant(orgId, async (tx) => {
    await getConnectorIn(tx, orgId, id);
    await tx.db.deleteFrom('itsm_connectors').where('org_id', '=', orgId).where('id', '=', id).execute();
    await appendAudit(tx, orgId, actor, {
      action: 'itsm.connector.delete',
      targetType: 'itsm_connector',
      targetId: id,
    });
  });
}

interface LoadedConnector {
  view: ConnectorView;
  create(t: TicketContent): Promise<CreatedTicket>;
  test(): Promise<void>;
}

async function loadConnector(ctx: AppContext, orgId: string, id: string): Promise<LoadedConnector> {
  const row = await ctx.db.withTenant(orgId, ({ db }) =>
    db
      .selectFrom('itsm_connectors')
      .select([...COLUMNS, 'credentials'])
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst(),
  );
  if (!row) throw new AppError('not_found', `ITSM connector ${id} not found`);
  const creds = JSON.parse(decryptSecret(ctx, row.credentials, credentialContext(id))) as Record<
    string,
    string
  >;
  const view = toView(row);
  if (row.kind === 'servicenow') {
    const s = {
      baseUrl: row.base_url,
      table: row.table_name ?? 'incident',
      username: creds.username ?? '',
      password: creds.password ?? '',
    };
    return { view, create: (t) => createServiceNowIncident(s, t), test: () => testServiceNow(s) };
  }
  const j = {
    baseUrl: row.base_url,
    projectKey: row.project_key ?? '',
    issueType: row.issue_type ?? 'Task',
    email: creds.email ?? '',
    apiToken: creds.api_token ?? '',
  };
  return { view, create: (t) => createJiraIssue(j, t), test: () => testJira(j) };
}

/** The Test button: one authenticated read against the ITSM; the outcome is recorded. */
export async function testConnector(
  ctx: AppContext,
  orgId: string,
  id: string,
): Promise<{ ok: boolean; message: string }> {
  const connector = await loadConnector(ctx, orgId, id);
  let outcome: { ok: boolean; message: string };
  try {
    await connector.test();
    outcome = { ok: true, message: `${connector.view.kind} answered; credentials accepted` };
  } catch (error) {
    outcome = { ok: false, message: (error as Error).message };
  }
  await ctx.db.withTenant(orgId, ({ db }) =>
    db
      .updateTable('itsm_connectors')
      .set({ last_tested_at: new Date(), last_test_ok: outcome.ok })
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .execute(),
  );
  return outcome;
}

export interface TicketView {
  id: string;
  alert_id: string;
  connector_id: string;
  kind: ItsmKind;
  key: string;
  url: string;
  created: boolean;
}

/**
 * Opens a ticket for an alert in the org's first active connector (or the one named). One ticket
 * per alert and connector: asking again answers the existing ticket.
 */
export async function createTicketForAlert(
  ctx: AppContext,
  orgId: string,
  actor: Actor,
  alertId: string,
  connectorId?: string,
): Promise<TicketView> {
  const alert = await getAlert(ctx.db, orgId, alertId);
  const active = (await listConnectors(ctx, orgId)).filter(
    (c) => c.active && (!connectorId || c.id === connectorId),
  );
  const target = active[0];
  if (!target) {
    if (connectorId) throw new AppError('not_found', `ITSM connector ${connectorId} not found or inactive`);
    throw new AppError('conflict', 'no active ITSM connector is configured');
  }
  const existing = await ctx.db.withTenant(orgId, ({ db }) =>
    db
      .selectFrom('itsm_tickets')
      .select(['id', 'external_key', 'url'])
      .where('org_id', '=', orgId)
      .where('alert_id', '=', alertId)
      .where('connector_id', '=', target.id)
      .executeTakeFirst(),
  );
  if (existing) {
    return {
      id: existing.id,
      alert_id: alertId,
      connector_id: target.id,
      kind: target.kind,
      key: existing.external_key,
      url: existing.url,
      created: false,
    };
  }
  const connector = await loadConnector(ctx, orgId, target.id);
  const link = ctx.config.publicUrl ? `${ctx.config.publicUrl}/alerts/${alert.id}` : undefined;
  const ticket = await connector.create({
    summary: `[Toktra ${alert.severity}] ${alert.title}`,
    severity: alert.severity,
    description: alert.body || alert.title,
    facts: [
      ['Source', alert.source],
      ['Raised at', alert.created_at],
      ['Alert id', alert.id],
    ],
    link,
    correlationId: `toktra-alert-${alert.id}`,
  });
  return ctx.db.withTenant(orgId, async (tx) => {
    const row = await tx.db
      .insertInto('itsm_tickets')
      .values({
        org_id: orgId,
        alert_id: alertId,
        connector_id: target.id,
        external_id: ticket.externalId,
        external_key: ticket.key,
        url: ticket.url,
        created_by: `${actor.type}:${actor.id ?? ''}`,
      })
      .onConflict((oc) => oc.columns(['org_id', 'alert_id', 'connector_id']).doNothing())
      .returning('id')
      .executeTakeFirst();
    await appendAudit(tx, orgId, actor, {
      action: 'itsm.ticket.create',
      targetType: 'alert',
      targetId: alertId,
      details: { connector_id: target.id, key: ticket.key, url: ticket.url },
    });
    return {
      id: row?.id ?? '',
      alert_id: alertId,
      connector_id: target.id,
      kind: target.kind,
      key: ticket.key,
      url: ticket.url,
      created: true,
    };
  });
}
