import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Tx } from '@toktra/db';
import type { AppContext } from '../context.js';
import { identifiers, type Subject } from './subject.js';

/** Whether a file mentions any of `needles` (case-insensitive), read in chunks with overlap. */
export async function fileMentions(filePath: string, needles: string[]): Promise<boolean> {
  const lowered = needles.map((n) => n.toLowerCase()).filter((n) => n.length > 0);
  const overlap = Math.max(0, ...lowered.map((n) => n.length)) - 1;
  let tail = '';
  try {
    for await (const chunk of createReadStream(filePath, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
      const text = (tail + chunk).toLowerCase();
      if (lowered.some((n) => text.includes(n))) return true;
      tail = text.slice(Math.max(0, text.length - overlap));
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  return false;
}

/** Deletes every export file of the org that mentions the subject; the export then reads as expired. */
export async function eraseExportFiles(_ctx: AppContext, tx: Tx, s: Subject): Promise<number> {
  const rows = await tx.db
    .selectFrom('exports')
    .select(['id', 'file_path'])
    .where('org_id', '=', s.orgId)
    .where('file_path', 'is not', null)
    .execute();
  let erased = 0;
  for (const row of rows) {
    if (!row.file_path || !(await fileMentions(row.file_path, identifiers(s)))) continue;
    await rm(row.file_path, { force: true });
    await tx.db
      .updateTable('exports')
      .set({ file_path: null, expires_at: new Date() })
      .where('org_id', '=', s.orgId)
      .where('id', '=', row.id)
      .execute();
    erased += 1;
  }
  return erased;
}

/** The subject's own requests: their access-export files go, and the link to the person too. */
export async function eraseRequestFiles(_ctx: AppContext, tx: Tx, s: Subject): Promise<number> {
  const rows = await tx.db
    .selectFrom('data_requests')
    .select(['id', 'export_paths'])
    .where('org_id', '=', s.orgId)
    .where('subject_user_id', '=', s.userId)
    .execute();
  for (const row of rows) {
    for (const file of row.export_paths) await rm(file, { force: true });
  }
  await tx.db
    .updateTable('data_requests')
    .set({ subject_user_id: null, export_paths: [], export_expires_at: null })
    .where('org_id', '=', s.orgId)
    .where('subject_user_id', '=', s.userId)
    .execute();
  return rows.length;
}
