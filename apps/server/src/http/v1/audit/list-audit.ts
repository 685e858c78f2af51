import { AppError } from '@toktra/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { listAuditEntries } from '../../../governance/audit-query.js';
import { orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors } from '../responses.js';
import { auditEntrySchema, auditFilterQuery, toFilter } from './audit-filter.js';

const query = auditFilterQuery
  .extend({
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().max(50).optional(),
  })
  .strict();

function decodeSeqCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const seq = Number(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!Number.isSafeInteger(seq) || seq < 1) {
    throw new AppError('validation_failed', 'cursor is not valid (pass next_cursor from the previous page)');
  }
  return seq;
}

/** `GET /v1/audit`: the hash-chained audit log, newest first, filtered, cursor-paginated (auditors, admins). */
export function registerListAudit(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/audit',
    {
      schema: {
        tags: ['audit'],
        summary: 'Browse the audit trail',
        querystring: query,
        response: {
          200: z.object({ data: z.array(auditEntrySchema), next_cursor: z.string().nullable() }),
          ...commonErrors,
        },
      },
      config: { auth: auth.can('audit:read') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => {
      const { limit, cursor, ...filter } = request.query;
      const beforeSeq = decodeSeqCursor(cursor);
      const rows = await listAuditEntries(ctx.db, orgOf(request), toFilter(filter), {
        limit: limit + 1,
        ...(beforeSeq !== undefined ? { beforeSeq } : {}),
      });
      const data = rows.slice(0, limit);
      const last = data[data.length - 1];
      return {
        data,
        next_cursor: rows.length > limit && last ? Buffer.from(String(last.seq)).toString('base64url') : null,
      };
    },
  );
}
