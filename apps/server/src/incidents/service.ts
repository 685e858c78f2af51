import { AppError } from '@toktra/core';
import type { Database, IncidentStatus, Severity, Tx } from '@toktra/db';
import { type Actor, appendAudit } from '../audit/service.js';
import { enqueueWebhookEvent } from '../delivery/webhooks.js';

export interface IncidentView {
  id: string;
  title: string;
  severity: Severity;
  status: IncidentStatus;
  assignee_id: string | null;
  user_id: string | null;
  policy_id: string | null;
  firing_id: string | null;
  created_at: string;
  updated_at: string;
  resolved_at: string | null;
}

export interface TimelineEntry {
  id: string;
  at: string;
  actor_type: string;
  actor_id: string | null;
  kind: string;
  details: Record<string, unknown>;
}

const columns = [
  'id',
  'title',
  'severity',
  'status',
  'assignee_id',
  'user_id',
  'policy_id',
  'firing_id',
  'created_at',
  'updated_at',
  'resolved_at',
] as const;

type Row = Omit<IncidentView, 'created_at' | 'updated_at' | 'resolved_at'> & {
  created_at: Date;
  updated_at: Date;
  resolved_at: Date | null;
};

function toView(row: Row): IncidentView {
  return {
    ...row,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    resolved_at: row.resolved_at?.toISOString() ?? null,
  };
}

async function addTimeline(
  tx: Tx,
  orgId: string,
  incidentId: string,
  actor: Actor,
  kind: string,
  details = {},
) {
  await tx.db
    .insertInto('incident_events')
    .values({
      org_id: orgId,
      incident_id: incidentId,
      actor_type: actor.type,
      actor_id: actor.id,
      kind,
      details: JSON.stringify(details),
    })
    .execute();
}

async function assertUser(tx: Tx, orgId: string, userId: string, field: string): Promise<void> {
  const user = await tx.db
    .selectFrom('users')
    .select('id')
    .where('org_id', '=', orgId)
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!user) throw new AppError('validation_failed', `${field}: no such user in this org`);
}

export interface NewIncident {
  title: string;
  severity: Severity;
  assigneeId?: string | null;
  userId?: string | null;
  policyId?: string | null;
  firingId?: string | null;
  details?: Record<string, unknown>;
}

/** Opens an incident in the caller's transaction (policy action or a person), with its first timeline entry. */
export async function createIncident(
  tx: Tx,
  orgId: string,
  actor: Actor,
  input: NewIncident,
): Promise<IncidentView> {
  if (input.assigneeId) await assertUser(tx, orgId, input.assigneeId, 'assignee_id');
  const row = await tx.db
    .insertInto('incidents')
    .values({
      org_id: orgId,
      title: input.title,
      severity: input.severity,
      assignee_id: input.assigneeId ?? null,
      user_id: input.userId ?? null,
      policy_id: input.policyId ?? null,
      firing_id: input.firingId ?? null,
      resolved_at: null,
    })
    .returning(columns)
    .executeTakeFirstOrThrow();
  await addTimeline(tx, orgId, row.id, actor, 'created', {
    title: input.title,
    severity: input.severity,
    ...input.details,
  });
  if (actor.type !== 'system') {
    await appendAudit(tx, orgId, actor, {
      action: 'incident.create',
      targetType: 'incident',
      targetId: row.id,
    });
  }
  const incident = toView(row as Row);
  await enqueueWebhookEvent(tx, orgId, 'incident.created', { incident });
  return incident;
}

export async function listIncidents(
  db: Database,
  orgId: string,
  filter: { status?: IncidentStatus; assignee_id?: string; limit: number; after?: { at: Date; id: string } },
): Promise<IncidentView[]> {
  return db.withTenant(orgId, async ({ db: trx }) => {
    let query = trx.selectFrom('incidents').select(columns).where('org_id', '=', orgId);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.assignee_id) query = query.where('assignee_id', '=', filter.assignee_id);
    const after = filter.after;
    if (after) {
      query = query.where((eb) =>
        eb.or([
          eb('created_at', '<', after.at),
          eb.and([eb('created_at', '=', after.at), eb('id', '<', after.id)]),
        ]),
      );
    }
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit)
      .execute();
    return rows.map((r) => toView(r as Row));
  });
}

async function loadIncident(tx: Tx, orgId: string, id: string, lock = false): Promise<Row> {
  let query = tx.db.selectFrom('incidents').select(columns).where('org_id', '=', orgId).where('id', '=', id);
  if (lock) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw new AppError('not_found', `incident ${id} not found`);
  return row as Row;
}

export async function getIncident(
  db: Database,
  orgId: string,
  id: string,
): Promise<IncidentView & { timeline: TimelineEntry[] }> {
  return db.withTenant(orgId, async (tx) => {
    const incident = toView(await loadIncident(tx, orgId, id));
    const events = await tx.db
      .selectFrom('incident_events')
      .select(['id', 'at', 'actor_type', 'actor_id', 'kind', 'details'])
      .where('org_id', '=', orgId)
      .where('incident_id', '=', id)
      .orderBy('at')
      .orderBy('id')
      .execute();
    return { ...incident, timeline: events.map((e) => ({ ...e, at: e.at.toISOString() })) };
  });
}

/** Status changes and (re)assignment; each change is a timeline entry and an audit entry. */
export async function updateIncident(
  db: Database,
  orgId: string,
  actor: Actor,
  id: string,
  patch: { status?: IncidentStatus; assignee_id?: string | null },
): Promise<IncidentView> {
  return db.withTenant(orgId, async (tx) => {
    const before = await loadIncident(tx, orgId, id, true);
    if (patch.assignee_id) await assertUser(tx, orgId, patch.assignee_id, 'assignee_id');
    const changes: Record<string, unknown> = {};
    if (patch.status !== undefined && patch.status !== before.status) {
      changes.status = patch.status;
      await addTimeline(tx, orgId, id, actor, patch.status === 'open' ? 'reopened' : patch.status, {
        from: before.status,
      });
    }
    if (patch.assignee_id !== undefined && patch.assignee_id !== before.assignee_id) {
      changes.assignee_id = patch.assignee_id;
      await addTimeline(tx, orgId, id, actor, 'assigned', {
        from: before.assignee_id,
        to: patch.assignee_id,
      });
    }
    if (Object.keys(changes).length === 0) return toView(before);
    const row = await tx.db
      .updateTable('incidents')
      .set({
        ...changes,
        ...(changes.status === 'resolved' ? { resolved_at: new Date() } : {}),
        ...(changes.status && changes.status !== 'resolved' ? { resolved_at: null } : {}),
        updated_at: new Date(),
      })
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .returning(columns)
      .executeTakeFirstOrThrow();
    await appendAudit(tx, orgId, actor, {
      action: 'incident.update',
      targetType: 'incident',
      targetId: id,
      details: changes,
    });
    const incident = toView(row as Row);
    await enqueueWebhookEvent(tx, orgId, 'incident.updated', { incident, changes });
    return incident;
  });
}

export async function addIncidentComment(
  db: Database,
  orgId: string,
  actor: Actor,
  id: string,
  body: string,
): Promise<TimelineEntry> {
  return db.withTenant(orgId, async (tx) => {
    await loadIncident(tx, orgId, id);
    await addTimeline(tx, orgId, id, actor, 'comment', { body });
    await tx.db
      .updateTable('incidents')
      .set({ updated_at: new Date() })
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .execute();
    const entry = await tx.db
      .selectFrom('incident_events')
      .select(['id', 'at', 'actor_type', 'actor_id', 'kind', 'details'])
      .where('org_id', '=', orgId)
      .where('incident_id', '=', id)
      .orderBy('at', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    return { ...entry, at: entry.at.toISOString() };
  });
}
