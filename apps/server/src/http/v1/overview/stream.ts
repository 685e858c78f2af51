import type { FastifyInstance } from 'fastify';
import { type Principal, reachOf } from '../../../auth/permissions.js';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import type { UsageBatchNotice } from '../../../usage/bus.js';
import { principalOf } from '../../auth.js';
import { createSseRoute } from '../../sse.js';

/** The part of a committed batch this principal may see, or null when none of it is theirs. */
function visibleTotals(principal: Principal, notice: UsageBatchNotice) {
  const reach = reachOf(principal);
  if (reach === 'org') return notice.totals;
  const rows = notice.byUser.filter((row) =>
    reach === 'self'
      ? row.user_id === principal.userId
      : row.user_id === principal.userId ||
        (row.department_id !== null && (principal.departmentIds ?? []).includes(row.department_id)),
  );
  if (rows.length === 0) return null;
  return rows.reduce(
    (sum, row) => ({
      events: sum.events + row.events,
      bytes_up: sum.bytes_up + row.bytes_up,
      bytes_down: sum.bytes_down + row.bytes_down,
      est_input_tokens: sum.est_input_tokens + row.est_input_tokens,
      est_output_tokens: sum.est_output_tokens + row.est_output_tokens,
    }),
    { events: 0, bytes_up: 0, bytes_down: 0, est_input_tokens: 0, est_output_tokens: 0 },
  );
}

/**
 * `GET /v1/overview/stream`: Server-Sent Events for the dashboard. One `usage` event per committed
 * batch that touches what the caller may see (employees: their own usage; managers: their
 * subtree), so pages refresh within a second of ingest. A comment every 25 s keeps proxies open.
 */
export function registerOverviewStream(app: FastifyInstance, ctx: AppContext): void {
  const openStream = createSseRoute(app, ctx.config.sseHeartbeatMs);
  app.get(
    '/v1/overview/stream',
    {
      schema: { tags: ['overview'], summary: 'Live usage notices for the dashboard (SSE)' },
      config: { auth: auth.can('usage:read') },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      openStream(request, reply, (send) =>
        ctx.usageBus.subscribe(principal.orgId, (notice) => {
          const totals = visibleTotals(principal, notice);
          if (totals) send('usage', { committed_at: notice.committedAt, totals });
        }),
      );
    },
  );
}
