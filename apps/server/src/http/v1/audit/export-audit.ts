import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { type AuditEntryView, iterateAuditEntries } from '../../../governance/audit-query.js';
import { orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors } from '../responses.js';
import { auditFilterQuery, toFilter } from './audit-filter.js';

const query = auditFilterQuery.extend({ format: z.enum(['csv', 'json']).default('json') }).strict();

const COLUMNS = [
  'seq',
  'at',
  'actor_type',
  'actor_id',
  'action',
  'target_type',
  'target_id',
  'details',
  'prev_hash',
  'hash',
] as const;

/** RFC 4180 field; a leading =,+,-,@ is prefixed with ' so spreadsheets do not run it as a formula. */
export function csvField(value: unknown): string {
  let text =
    value === null || value === undefined
      ? ''
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

async function* render(
  entries: AsyncGenerator<AuditEntryView>,
  format: 'csv' | 'json',
): AsyncGenerator<string> {
  if (format === 'csv') {
    yield `${COLUMNS.join(',')}\r\n`;
    for await (const e of entries) yield `${COLUMNS.map((c) => csvField(e[c])).join(',')}\r\n`;
    return;
  }
  yield '[';
  let first = true;
  for await (const e of entries) {
    yield `${first ? '' : ','}\n${JSON.stringify(e)}`;
    first = false;
  }
  yield '\n]\n';
}

/**
 * `GET /v1/audit/export?format=csv|json`: every matching entry, oldest first (so the chain can be
 * re-verified from the file), streamed page by page rather than built in memory.
 */
export function registerExportAudit(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/audit/export',
    {
      schema: {
        tags: ['audit'],
        summary: 'Export the audit trail (streamed CSV or JSON)',
        querystring: query,
        response: {
          200: {
            description: 'the entries, oldest first, as CSV or a JSON array',
            content: {
              'text/csv': { schema: z.string() },
              'application/json': { schema: z.array(z.record(z.string(), z.unknown())) },
            },
          },
          ...commonErrors,
        },
      },
      config: { auth: auth.can('audit:read') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request, reply) => {
      const { format, ...filter } = request.query;
      const stream = Readable.from(
        render(iterateAuditEntries(ctx.db, orgOf(request), toFilter(filter)), format),
      );
      return reply
        .header(
          'content-type',
          format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
        )
        .header('content-disposition', `attachment; filename="audit.${format}"`)
        .send(stream as never);
    },
  );
}
