import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ExportsTable } from '@toktra/db';
import type { Updateable } from 'kysely';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { defineJob } from '../jobs/define-job.js';
import { exportColumns, usageExportRows } from './rows.js';
import { ExportWriter } from './writer.js';

/** How long a finished file stays downloadable. */
export const EXPORT_TTL_MS = 24 * 3_600_000;

async function update(
  ctx: AppContext,
  orgId: string,
  exportId: string,
  values: Updateable<ExportsTable>,
): Promise<void> {
  await ctx.db.withTenant(orgId, (tx) =>
    tx.db.updateTable('exports').set(values).where('org_id', '=', orgId).where('id', '=', exportId).execute(),
  );
}

/**
 * Generates one export file: rows stream from the usage query through a backpressured writer
 * into `<dataDir>/exports/<org>/<id>.<format>` (written as `.part`, renamed when complete).
 * A failure is recorded on the export with its reason rather than retried blindly.
 */
export const generateExportJob = defineJob({
  name: 'exports.generate',
  payload: z.object({
    exportId: z.string().uuid(),
    // The requester's reach (absent = the whole org, as for jobs queued before reach existed).
    reach: z
      .object({ userId: z.string().uuid().optional(), departmentId: z.string().uuid().optional() })
      .optional(),
  }),
  maxAttempts: 1,
  async run(ctx, { exportId, reach }, job) {
    const orgId = job.orgId;
    if (!orgId) return;
    const spec = await ctx.db.withTenant(orgId, (tx) =>
      tx.db
        .selectFrom('exports')
        .select([
          'status',
          'format',
          'scope',
          (eb) => eb.cast<string>('start_date', 'text').as('start_date'),
          (eb) => eb.cast<string>('end_date', 'text').as('end_date'),
        ])
        .where('org_id', '=', orgId)
        .where('id', '=', exportId)
        .executeTakeFirst(),
    );
    if (!spec || spec.status === 'ready' || spec.status === 'failed') return;
    const dir = path.join(ctx.config.dataDir, 'exports', orgId);
    const finalPath = path.join(dir, `${exportId}.${spec.format}`);
    const partPath = `${finalPath}.part`;
    await update(ctx, orgId, exportId, { status: 'running', progress: 0 });
    let writer: ExportWriter | undefined;
    try {
      await mkdir(dir, { recursive: true });
      await rm(partPath, { force: true });
      writer = new ExportWriter(partPath, spec.format, exportColumns(spec.scope));
      let lastProgress = 0;
      let lastWrite = Date.now();
      const rows = usageExportRows(
        ctx,
        orgId,
        { scope: spec.scope, startDate: spec.start_date, endDate: spec.end_date, ...reach },
        async (done, total) => {
          const progress = Math.min(99, Math.floor((100 * done) / total));
          if (progress > lastProgress && Date.now() - lastWrite > 250) {
            lastProgress = progress;
            lastWrite = Date.now();
            await update(ctx, orgId, exportId, { progress, row_count: writer?.rowCount ?? 0 });
          }
        },
      );
      for await (const row of rows) await writer.write(row);
      await writer.finish();
      await rename(partPath, finalPath);
      await update(ctx, orgId, exportId, {
        status: 'ready',
        progress: 100,
        row_count: writer.rowCount,
        byte_count: writer.bytesWritten,
        file_path: finalPath,
        finished_at: new Date(),
        expires_at: new Date(Date.now() + EXPORT_TTL_MS),
      });
    } catch (error) {
      writer?.abort();
      await rm(partPath, { force: true }).catch(() => undefined);
      const reason = error instanceof Error ? error.message : String(error);
      ctx.logger.warn({ err: error, exportId }, 'export failed');
      await update(ctx, orgId, exportId, { status: 'failed', error: reason, finished_at: new Date() });
    }
  },
});

/** Deletes files whose export expired, and marks them gone (runs hourly). */
export const purgeExportsJob = defineJob({
  name: 'exports.purge',
  payload: z.object({}).passthrough(),
  async run(ctx) {
    const expired = await ctx.db.system(({ db }) =>
      db
        .selectFrom('exports')
        .select(['org_id', 'id', 'file_path'])
        .where('expires_at', '<', new Date())
        .where('file_path', 'is not', null)
        .limit(1000)
        .execute(),
    );
    for (const row of expired) {
      if (row.file_path) await rm(row.file_path, { force: true });
      await update(ctx, row.org_id, row.id, { file_path: null });
    }
  },
});
