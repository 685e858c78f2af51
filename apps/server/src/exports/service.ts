import { createHmac, timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import { AppError } from '@toktra/core';
import { type ExportFormat, type ExportScope, findInStores } from '@toktra/db';
import { type Actor, appendAudit } from '../audit/service.js';
import { type Scope, usageFilterOf } from '../auth/scope.js';
import type { AppContext } from '../context.js';
import { getInsightSecret } from '../efficiency/org-secret.js';
import { enqueueJob } from '../jobs/enqueue.js';
import { MAX_RANGE_DAYS } from '../usage/query.js';
import { addDays } from '../usage/time-zone.js';
import { generateExportJob } from './job.js';

/** How long one signed download link lives. */
export const LINK_TTL_MS = 3_600_000;

export interface ExportView {
  job_id: string;
  status: 'queued' | 'running' | 'ready' | 'failed';
  format: ExportFormat;
  scope: ExportScope;
  start_date: string;
  end_date: string;
  progress: number;
  row_count: number;
  byte_count: number;
  error: string | null;
  created_at: string;
  finished_at: string | null;
  expires_at: string | null;
}

export function exportsDir(ctx: AppContext): string {
  return path.join(ctx.config.dataDir, 'exports');
}

/**
 * Validates the range, then records the export and enqueues its generation in one transaction
 * (the tenant role may insert jobs): the export exists iff its job does.
 */
export async function createExport(
  ctx: AppContext,
  scope: Scope,
  actor: Actor,
  input: { startDate: string; endDate: string; format: ExportFormat; scope: ExportScope },
): Promise<{ jobId: string }> {
  if (input.endDate < input.startDate) {
    throw new AppError('validation_failed', 'end_date must not be before start_date');
  }
  if (addDays(input.startDate, MAX_RANGE_DAYS - 1) < input.endDate) {
    throw new AppError('validation_failed', `an export spans at most ${MAX_RANGE_DAYS} days`);
  }
  const orgId = scope.orgId;
  // The rows an export may hold are fixed now, from who asked: the job runs with no one asking.
  const reach = usageFilterOf(scope);
  const row = await ctx.db.withTenant(orgId, async (tx) => {
    const created = await tx.db
      .insertInto('exports')
      .values({
        org_id: orgId,
        format: input.format,
        scope: input.scope,
        start_date: input.startDate,
        end_date: input.endDate,
        requested_by: actor.id ? `${actor.type}:${actor.id}` : actor.type,
        file_path: null,
        error: null,
        finished_at: null,
        expires_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendAudit(tx, orgId, actor, {
      action: 'export.create',
      targetType: 'export',
      targetId: created.id,
      details: {
        scope: input.scope,
        format: input.format,
        start_date: input.startDate,
        end_date: input.endDate,
      },
    });
    await enqueueJob(tx, generateExportJob, { exportId: created.id, reach }, { orgId });
    return created;
  });
  return { jobId: row.id };
}

/** Org-wide callers see every export; anyone else only the exports they requested (404 otherwise). */
export async function getExport(ctx: AppContext, scope: Scope, jobId: string): Promise<ExportView> {
  const orgId = scope.orgId;
  return ctx.db.withTenant(orgId, async (tx) => {
    const row = await tx.db
      .selectFrom('exports')
      .select([
        'id',
        'status',
        'format',
        'scope',
        (eb) => eb.cast<string>('start_date', 'text').as('start_date'),
        (eb) => eb.cast<string>('end_date', 'text').as('end_date'),
        'progress',
        'row_count',
        'byte_count',
        'error',
        'created_at',
        'finished_at',
        'expires_at',
      ])
      .where('org_id', '=', orgId)
      .where('id', '=', jobId)
      .$if(scope.reach !== 'org', (q) =>
        q.where('requested_by', '=', `user:${scope.reach === 'org' ? '' : scope.userId}`),
      )
      .executeTakeFirst();
    if (!row) throw new AppError('not_found', `export ${jobId} not found`);
    return {
      job_id: row.id,
      status: row.status,
      format: row.format,
      scope: row.scope,
      start_date: row.start_date,
      end_date: row.end_date,
      progress: row.progress,
      row_count: Number(row.row_count),
      byte_count: Number(row.byte_count),
      error: row.error,
      created_at: row.created_at.toISOString(),
      finished_at: row.finished_at?.toISOString() ?? null,
      expires_at: row.expires_at?.toISOString() ?? null,
    };
  });
}

function sign(secret: Buffer, jobId: string, expires: number): string {
  return createHmac('sha256', secret).update(`export:${jobId}:${expires}`).digest('base64url');
}

/** A download path signed for one hour (or until the file expires, if sooner). */
export async function signDownloadPath(ctx: AppContext, orgId: string, view: ExportView): Promise<string> {
  const fileExpiry = view.expires_at ? Date.parse(view.expires_at) : Date.now();
  const expires = Math.floor(Math.min(Date.now() + LINK_TTL_MS, fileExpiry) / 1000);
  const secret = await ctx.db.withTenant(orgId, (tx) => getInsightSecret(tx, orgId));
  return `/v1/exports/${view.job_id}/download?expires=${expires}&sig=${sign(secret, view.job_id, expires)}`;
}

/**
 * Checks a signed link without an API key: the signature proves a caller of this org asked for
 * it. Unknown job or bad signature → 403 (indistinguishable); a past expiry or a deleted file → 410.
 */
export async function resolveDownload(
  ctx: AppContext,
  jobId: string,
  expires: number,
  signature: string,
): Promise<{ filePath: string; format: ExportFormat; fileName: string }> {
  // The one cross-tenant read: a link names only the job, so find its org first.
  const owner = await findInStores(ctx.db, ({ db }) =>
    db.selectFrom('exports').select('org_id').where('id', '=', jobId).executeTakeFirst(),
  );
  const refuse = new AppError('forbidden', 'invalid download signature');
  if (!owner) throw refuse;
  return ctx.db.withTenant(owner.org_id, async (tx) => {
    const secret = await getInsightSecret(tx, owner.org_id);
    const expected = Buffer.from(sign(secret, jobId, expires));
    const presented = Buffer.from(signature);
    if (expected.length !== presented.length || !timingSafeEqual(expected, presented)) throw refuse;
    if (expires * 1000 < Date.now()) throw new AppError('gone', 'this download link has expired');
    const row = await tx.db
      .selectFrom('exports')
      .select(['status', 'file_path', 'format', 'scope', 'expires_at', 'requested_by'])
      .where('org_id', '=', owner.org_id)
      .where('id', '=', jobId)
      .executeTakeFirstOrThrow();
    if (
      row.status !== 'ready' ||
      !row.file_path ||
      (row.expires_at && row.expires_at.getTime() < Date.now())
    ) {
      throw new AppError('gone', 'this export is no longer available');
    }
    // Whoever holds the link downloads: the entry names the requester the link was signed for.
    await appendAudit(tx, owner.org_id, requesterOf(row.requested_by), {
      action: 'export.download',
      targetType: 'export',
      targetId: jobId,
      details: { scope: row.scope, format: row.format, via: 'signed_link' },
    });
    return {
      filePath: row.file_path,
      format: row.format,
      fileName: `toktra-${row.scope}-${jobId}.${row.format}`,
    };
  });
}

/** `requested_by` ("user:<id>", "api_key:<id>" or a bare type) back into an audit actor. */
function requesterOf(requestedBy: string | null): Actor {
  const [type, id] = (requestedBy ?? 'system').split(':');
  const known: Actor['type'][] = ['user', 'api_key', 'system', 'cli', 'device'];
  const actorType = known.includes(type as Actor['type']) ? (type as Actor['type']) : 'system';
  return { type: actorType, id: id ?? null };
}
