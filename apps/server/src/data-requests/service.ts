import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError, isUuid } from '@toktra/core';
import type { DataRequestKind, DataRequestRegime, DataRequestStatus, Tx } from '@toktra/db';
import { sql } from 'kysely';
import { type Actor, appendAudit } from '../audit/service.js';
import type { AppContext } from '../context.js';
import { collectSubjectData, toCsv } from './access-export.js';
import { eraseSubject } from './erase.js';
import { loadSubject } from './subject.js';

/** Days to answer, by regime: GDPR Art. 12(3) one month (we use 30 days), CCPA 45 days. */
export const DUE_DAYS: Record<DataRequestRegime, number> = { gdpr: 30, ccpa: 45 };
/** How long a fulfilled access export stays downloadable before the sweep deletes it. */
export const ACCESS_EXPORT_TTL_DAYS = 30;
const DAY_MS = 86_400_000;

export interface DataRequestView {
  id: string;
  kind: DataRequestKind;
  regime: DataRequestRegime;
  status: DataRequestStatus;
  outcome: string | null;
  /** The subject while the request is open or kept (null once erased). */
  subject: { user_id: string; email: string; name: string } | null;
  pseudonym: string;
  submitted_at: string;
  due_at: string;
  completed_at: string | null;
  overdue: boolean;
  export_available: boolean;
}

const columns = [
  'r.id',
  'r.kind',
  'r.regime',
  'r.status',
  'r.outcome',
  'r.subject_user_id',
  'r.subject_pseudonym',
  'r.submitted_at',
  'r.due_at',
  'r.completed_at',
  'r.export_paths',
  'r.export_expires_at',
  'u.email',
  'u.name',
] as const;

function query(tx: Tx, orgId: string) {
  return tx.db
    .selectFrom('data_requests as r')
    .leftJoin('users as u', (join) => join.onRef('u.id', '=', 'r.subject_user_id').on('u.org_id', '=', orgId))
    .select(columns)
    .where('r.org_id', '=', orgId);
}

type Row = Awaited<ReturnType<ReturnType<typeof query>['executeTakeFirstOrThrow']>>;

function toView(row: Row, now = new Date()): DataRequestView {
  return {
    id: row.id,
    kind: row.kind,
    regime: row.regime,
    status: row.status,
    outcome: row.outcome,
    subject:
      row.subject_user_id && row.email !== null
        ? { user_id: row.subject_user_id, email: row.email, name: row.name ?? '' }
        : null,
    pseudonym: row.subject_pseudonym,
    submitted_at: row.submitted_at.toISOString(),
    due_at: row.due_at.toISOString(),
    completed_at: row.completed_at?.toISOString() ?? null,
    overdue: row.status === 'open' && row.due_at < now,
    export_available:
      row.export_paths.length > 0 &&
      !!row.export_expires_at &&
      row.export_expires_at.getTime() > now.getTime(),
  };
}

/** An employee's own request. One open request per kind: a second one would only duplicate work. */
export async function createDataRequest(
  ctx: AppContext,
  orgId: string,
  userId: string,
  input: { kind: DataRequestKind; regime: DataRequestRegime },
  now = new Date(),
): Promise<DataRequestView> {
  return ctx.db.withTenant(orgId, async (tx) => {
    const open = await tx.db
      .selectFrom('data_requests')
      .select('id')
      .where('org_id', '=', orgId)
      .where('subject_user_id', '=', userId)
      .where('kind', '=', input.kind)
      .where('status', '=', 'open')
      .executeTakeFirst();
    if (open)
      throw new AppError('conflict', `you already have an open ${input.kind} request`, { id: open.id });
    const row = await tx.db
      .insertInto('data_requests')
      .values({
        org_id: orgId,
        kind: input.kind,
        regime: input.regime,
        outcome: null,
        subject_user_id: userId,
        submitted_at: now,
        due_at: new Date(now.getTime() + DUE_DAYS[input.regime] * DAY_MS),
        completed_at: null,
        export_expires_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendAudit(
      tx,
      orgId,
      { type: 'user', id: userId },
      {
        action: 'data_request.create',
        targetType: 'data_request',
        targetId: row.id,
        details: { kind: input.kind, regime: input.regime },
      },
    );
    return toView(await query(tx, orgId).where('r.id', '=', row.id).executeTakeFirstOrThrow(), now);
  });
}

export async function listDataRequests(
  ctx: AppContext,
  orgId: string,
  filter: { subjectUserId?: string; status?: DataRequestStatus },
): Promise<DataRequestView[]> {
  return ctx.db.withTenant(orgId, async (tx) => {
    let q = query(tx, orgId);
    if (filter.subjectUserId) q = q.where('r.subject_user_id', '=', filter.subjectUserId);
    if (filter.status) q = q.where('r.status', '=', filter.status);
    // The queue: open requests first, the most urgent on top; then the rest, newest first.
    const rows = await q
      .orderBy(sql`r.status = 'open'`, 'desc')
      .orderBy(sql`CASE WHEN r.status = 'open' THEN r.due_at END`, 'asc')
      .orderBy('r.submitted_at', 'desc')
      .limit(500)
      .execute();
    return rows.map((r) => toView(r));
  });
}

export async function getDataRequest(ctx: AppContext, orgId: string, id: string): Promise<DataRequestView> {
  if (!isUuid(id)) throw new AppError('not_found', `data request ${id} not found`);
  const row = await ctx.db.withTenant(orgId, (tx) =>
    query(tx, orgId).where('r.id', '=', id).executeTakeFirst(),
  );
  if (!row) throw new AppError('not_found', `data request ${id} not found`);
  return toView(row);
}

function requireOpen(view: DataRequestView, kind: DataRequestKind): string {
  if (view.kind !== kind) throw new AppError('conflict', `this is an ${view.kind} request`);
  if (view.status !== 'open') throw new AppError('conflict', `this request is already ${view.status}`);
  if (!view.subject) throw new AppError('conflict', 'the subject of this request no longer exists');
  return view.subject.user_id;
}

/**
 * A DSAR reads and rewrites tables the app role may not (jobs, events, audit_log), so it runs as
 * the owner in the org's store — still pinned to the org, so row-level security holds where the
 * owner is subject to it.
 */
function asOwnerFor<T>(ctx: AppContext, orgId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return ctx.db.forOrg(orgId, async (tx) => {
    await sql`SELECT set_config('app.org_id', ${orgId}, true)`.execute(tx.db);
    return fn(tx);
  });
}

export function exportDir(ctx: AppContext, orgId: string): string {
  return path.join(ctx.config.dataDir, 'data-requests', orgId);
}

/** Fulfils an access request: everything about the person as JSON and CSV files (audited). */
export async function fulfilAccess(
  ctx: AppContext,
  orgId: string,
  actor: Actor,
  id: string,
): Promise<DataRequestView> {
  const userId = requireOpen(await getDataRequest(ctx, orgId, id), 'access');
  const dir = exportDir(ctx, orgId);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const paths = [path.join(dir, `${id}.json`), path.join(dir, `${id}.csv`)] as const;
  await asOwnerFor(ctx, orgId, async (tx) => {
    const data = await collectSubjectData(tx, await loadSubject(tx, orgId, userId));
    await writeFile(paths[0], `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
    await writeFile(paths[1], toCsv(data), { mode: 0o600 });
    const now = new Date();
    await tx.db
      .updateTable('data_requests')
      .set({
        status: 'completed',
        outcome: 'exported',
        completed_at: now,
        export_paths: [...paths],
        export_expires_at: new Date(now.getTime() + ACCESS_EXPORT_TTL_DAYS * DAY_MS),
      })
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .execute();
    await appendAudit(tx, orgId, actor, {
      action: 'data_request.access_fulfilled',
      targetType: 'data_request',
      targetId: id,
      details: { tables: Object.keys(data.tables).length },
    });
  });
  return getDataRequest(ctx, orgId, id);
}

/** The fulfilled export's file (admins; or the subject, when `subjectUserId` is given). */
export async function readAccessExport(
  ctx: AppContext,
  orgId: string,
  id: string,
  format: 'json' | 'csv',
  subjectUserId?: string,
): Promise<string> {
  const view = await getDataRequest(ctx, orgId, id);
  if (subjectUserId && view.subject?.user_id !== subjectUserId) {
    throw new AppError('not_found', `data request ${id} not found`);
  }
  if (view.kind !== 'access' || view.status !== 'completed')
    throw new AppError('conflict', 'no export for this request');
  if (!view.export_available) throw new AppError('gone', 'the export has expired');
  return readFile(path.join(exportDir(ctx, orgId), `${id}.${format}`), 'utf8');
}

/**
 * Executes an erasure: every table per ERASURE_RULES, the audit chain through its redaction path,
 * and the request itself down to kind, regime, dates, outcome and pseudonym — one transaction as
 * the owner (events and audit entries are not writable by the app role), pinned to the org.
 */
export async function executeErasure(
  ctx: AppContext,
  orgId: string,
  actor: Actor,
  id: string,
): Promise<DataRequestView> {
  const view = await getDataRequest(ctx, orgId, id);
  const userId = requireOpen(view, 'erasure');
  if (actor.type === 'user' && actor.id === userId) {
    throw new AppError('forbidden', 'another administrator must execute an erasure of your own data');
  }
  await asOwnerFor(ctx, orgId, async (tx) => {
    const subject = await loadSubject(tx, orgId, userId, view.pseudonym);
    const report = await eraseSubject(ctx, tx, subject);
    await tx.db
      .updateTable('data_requests')
      .set({ status: 'completed', outcome: 'erased', completed_at: new Date(), subject_user_id: null })
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .execute();
    await appendAudit(tx, orgId, actor, {
      action: 'data_request.erasure_executed',
      targetType: 'data_request',
      targetId: id,
      details: { regime: view.regime, pseudonym: view.pseudonym, changed: report },
    });
  });
  return getDataRequest(ctx, orgId, id);
}
