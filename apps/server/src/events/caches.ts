import type { AppContext } from '../context.js';

/**
 * The one invalidation path of every per-process cache: each listens to the domain events that
 * change it, whichever process wrote them (this one right after commit, others via the feed).
 * Usage written by another process is replayed on this process's usage bus (preflight, SSE).
 */
export function wireCacheInvalidation(ctx: AppContext): void {
  const { events } = ctx;
  events.on('usage.committed', (event, local) => {
    if (local) return; // the writing request published it already, before answering
    ctx.usageBus.publish({ ...event.payload, orgId: event.orgId }, (err) =>
      ctx.logger.error({ err }, 'usage subscriber failed'),
    );
  });
  for (const kind of ['budget.changed', 'exemption.decided'] as const)
    events.on(kind, (event) => ctx.preflight.invalidate(event.orgId));
  events.on('user.blocked', (event) => {
    const { userId, block } = event.payload;
    ctx.preflight.applyBlock(
      event.orgId,
      userId,
      block ? { reason: block.reason, until: block.until ? new Date(block.until) : null } : null,
    );
  });
  events.on('tier.changed', (event) => ctx.caches.tiers.forgetOrg(event.orgId));
  events.on('device.revoked', (event) => ctx.deviceStatus.invalidate(event.orgId, event.payload.deviceId));
  events.on('api_key.revoked', () => ctx.caches.apiKeys.clear());
}
