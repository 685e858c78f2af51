import type { ExportScope } from '@toktra/db';
import { orgScope } from '../auth/scope.js';
import type { AppContext } from '../context.js';
import { queryUsage, type UsageGroup } from '../usage/query.js';
import { addDays } from '../usage/time-zone.js';
import type { ExportRow } from './writer.js';

export const GROUP_BY_SCOPE: Record<ExportScope, UsageGroup> = {
  users: 'user',
  teams: 'department',
  models: 'model',
  providers: 'provider',
};

const KEY_COLUMNS: Record<ExportScope, string[]> = {
  users: ['user_id', 'user_email', 'user_name'],
  teams: ['department_id', 'department_name'],
  models: ['model'],
  providers: ['provider'],
};

/** The same figures, with the same names, as `GET /v1/usage`. */
export const FIGURE_COLUMNS = [
  'events',
  'bytes_up',
  'bytes_down',
  'est_input_tokens',
  'est_output_tokens',
  'reconciled_input_tokens',
  'reconciled_output_tokens',
  'est_cost',
] as const;

export function exportColumns(scope: ExportScope): string[] {
  return ['date', ...KEY_COLUMNS[scope], ...FIGURE_COLUMNS];
}

export function daysBetween(start: string, end: string): number {
  return Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / 86_400_000) + 1;
}

/**
 * One row per org-time-zone day and scope key, in date order. Each day is read with the very
 * query behind `GET /v1/usage` (`queryUsage` with that day as the range and the scope's
 * group_by), so an export can never disagree with the API — estimated and reconciled figures
 * alike. Reading day by day is the keyset: memory is bounded by one day's keys, not by the range.
 */
export async function* usageExportRows(
  ctx: AppContext,
  orgId: string,
  spec: {
    scope: ExportScope;
    startDate: string;
    endDate: string;
    userId?: string | undefined;
    departmentId?: string | undefined;
  },
  onDay?: (done: number, total: number) => Promise<void>,
): AsyncGenerator<ExportRow> {
  const total = daysBetween(spec.startDate, spec.endDate);
  for (let i = 0; i < total; i++) {
    const day = addDays(spec.startDate, i);
    // The requester's reach was fixed into userId/departmentId when the export was created.
    const report = await queryUsage(ctx.db, orgScope(orgId), {
      startDate: day,
      endDate: day,
      groupBy: GROUP_BY_SCOPE[spec.scope],
      userId: spec.userId,
      departmentId: spec.departmentId,
    });
    for (const row of report.data) yield { date: day, ...(row as ExportRow) };
    await onDay?.(i + 1, total);
  }
}
