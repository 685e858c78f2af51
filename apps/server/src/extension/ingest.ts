import {
  AppError,
  addMeasures,
  estimateTokens,
  extensionIncrement,
  isPrivate,
  type Measures,
  type PrivacySettings,
  ZERO_MEASURES,
} from '@toktra/core';
import type { Tx } from '@toktra/db';
import type { AppContext } from '../context.js';
import { emitEvent } from '../events/outbox.js';
import { getOwnPrivacy } from '../privacy/service.js';
import { getCalibratedRatios } from '../reconciliation/calibration.js';
import { MAX_AGE_DAYS } from '../usage/event-input.js';
import { buildNotice } from '../usage/ingest.js';
import { loadOrgIngestConfig } from '../usage/org-cache.js';
import { aggregateRollups, type EventRow, insertEvents, upsertRollups } from '../usage/store.js';
import { type ExtensionPrincipal, touch } from './browsers.js';
import {
  type AgentConnection,
  connectionFor,
  findAgentConnections,
  lockUsersForDedupe,
} from './connection-match.js';
import { MAX_EXTENSION_BATCH, type ValidRequest, validateRequest } from './request-input.js';
import { moveEventsToModel } from './rollup-rekey.js';

export interface ExtensionIngestResult {
  accepted: number;
  duplicates: number;
  /** Requests the agent had already counted: stored as enrichment, adding no tokens. */
  enriched: number;
  rejected: Array<{ index: number; code: string; message: string }>;
}

const isZero = (m: Measures) => m.bytesUp + m.bytesDown + m.inputTokens + m.outputTokens === 0;

/**
 * `POST /v1/extension/events`: the extension's request metadata through the usage pipeline's own
 * steps (classify, estimate, idempotent insert, rollups, after-commit notice), deduplicated against
 * the agent's events for the same connection (docs/extension.md). Org and user come from the
 * browser token, never the body.
 */
export async function ingestExtensionBatch(
  ctx: AppContext,
  who: ExtensionPrincipal,
  raw: unknown[],
): Promise<ExtensionIngestResult> {
  if (raw.length > MAX_EXTENSION_BATCH) {
    throw new AppError('payload_too_large', `a batch holds at most ${MAX_EXTENSION_BATCH} requests`);
  }
  const { orgId, userId } = who;
  const calibrated = await getCalibratedRatios(ctx, orgId);
  const privacy = toSettings(await getOwnPrivacy(ctx.db, orgId, userId));
  const result = await ctx.db.withTenant(orgId, async (tx) => {
    const { facts, catalogue } = await loadOrgIngestConfig(ctx.db, tx, orgId);
    const ratios = { ...calibrated, ...facts.ratioOverrides };
    const now = Date.now();
    const oldestMs = now - Math.min(facts.retentionDays, MAX_AGE_DAYS) * 86_400_000;
    const rejected: ExtensionIngestResult['rejected'] = [];
    const unique = new Map<string, ValidRequest>();
    let duplicates = 0;
    raw.forEach((item, index) => {
      const outcome = validateRequest(item, index, now, oldestMs);
      if (!outcome.ok) rejected.push(outcome.rejection);
      // The extension stops capturing in Privacy Hours; a record from one (a clock or schedule
      // change in flight) is refused here too, unread.
      else if (isPrivate(privacy, outcome.request.startedAt)) {
        rejected.push({ index, code: 'privacy_hours', message: "started in the user's Privacy Hours" });
      } else if (unique.has(outcome.request.id)) duplicates++;
      else unique.set(outcome.request.id, outcome.request);
    });
    await lockUsersForDedupe(tx, orgId, [userId]);
    const user = await tx.db
      .selectFrom('users')
      .select(['department_id', 'manager_id'])
      .where('org_id', '=', orgId)
      .where('id', '=', userId)
      .executeTakeFirst();
    if (!user) throw new AppError('unauthorized', 'the user of this browser no longer exists');
    const known = await alreadyStored(tx, orgId, [...unique.keys()]);
    duplicates += known.size;
    const fresh = [...unique.values()]
      .filter((r) => !known.has(r.id))
      .sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());

    const classified = fresh.flatMap((r) => {
      const c = catalogue.classify(r.host);
      if (c) return [{ r, c }];
      // Not an AI host as far as this org knows: nothing about it is stored.
      rejected.push({
        index: r.index,
        code: 'unknown_host',
        message: `host "${r.host}" is not in the catalogue`,
      });
      return [];
    });
    const starts = classified.map(({ r }) => r.startedAt.getTime());
    const connections = await findAgentConnections(
      tx,
      orgId,
      userId,
      [...new Set(classified.map(({ r }) => r.host))],
      Math.min(...starts),
      Math.max(...starts),
    );
    const groups = await loadGroups(tx, orgId, connections);

    const eventRows: EventRow[] = [];
    const requestRows = [];
    const modelFor = new Map<string, string>();
    let enriched = 0;
    for (const { r, c } of classified) {
      const tokens = estimateTokens(
        {
          provider: c.provider,
          product: c.product,
          transport: 'tcp',
          bytesUp: r.bytesUp,
          bytesDown: r.bytesDown,
          category: c.category,
        },
        ratios,
      );
      const measures = {
        bytesUp: r.bytesUp,
        bytesDown: r.bytesDown,
        inputTokens: tokens.inputTokens,
        outputTokens: tokens.outputTokens,
      };
      const agent = connectionFor(connections, r.host, r.startedAt.getTime());
      let counted = measures;
      if (agent) {
        const group = groups.get(agent.id) ?? { counted: agent.counted, raw: { ...ZERO_MEASURES } };
        counted = extensionIncrement(group.counted, group.raw, measures);
        groups.set(agent.id, {
          counted: addMeasures(group.counted, counted),
          raw: addMeasures(group.raw, measures),
        });
        if (!agent.model && r.model && !modelFor.has(agent.id)) modelFor.set(agent.id, r.model);
        if (isZero(counted)) enriched++;
      }
      requestRows.push({
        org_id: orgId,
        id: r.id,
        browser_id: who.browserId,
        user_id: userId,
        host: r.host,
        provider: c.provider,
        path_class: r.pathClass,
        method: r.method,
        model: r.model,
        status_code: r.statusCode,
        started_at: r.startedAt,
        ended_at: r.endedAt,
        bytes_up: r.bytesUp,
        bytes_down: r.bytesDown,
        est_input_tokens: tokens.inputTokens,
        est_output_tokens: tokens.outputTokens,
        counted_bytes_up: counted.bytesUp,
        counted_bytes_down: counted.bytesDown,
        counted_input_tokens: counted.inputTokens,
        counted_output_tokens: counted.outputTokens,
        agent_event_id: agent?.id ?? null,
      });
      if (agent && isZero(counted)) continue;
      eventRows.push({
        id: r.id,
        occurred_at: r.startedAt,
        ended_at: r.endedAt,
        device_id: null,
        api_key_id: null,
        user_id: userId,
        department_id: user.department_id,
        manager_id: user.manager_id,
        os_user: null,
        source: 'extension',
        host: r.host,
        provider: c.provider,
        product: c.product,
        category: c.category,
        model: r.model ?? agent?.model ?? null,
        transport: null,
        bytes_up: counted.bytesUp,
        bytes_down: counted.bytesDown,
        duration_ms: r.durationMs,
        est_input_tokens: counted.inputTokens,
        est_output_tokens: counted.outputTokens,
        token_method: tokens.method,
      });
    }
    if (requestRows.length > 0) {
      await tx.db
        .insertInto('extension_requests')
        .values(requestRows)
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
    const stored = eventRows.length > 0 ? await insertEvents(tx, orgId, eventRows) : new Set<string>();
    const storedRows = eventRows.filter((e) => stored.has(e.id));
    await upsertRollups(tx, orgId, aggregateRollups(storedRows, facts.timeZone));
    await moveEventsToModel(tx, orgId, facts.timeZone, modelFor);
    if (storedRows.length > 0) {
      // The event carries the batch to other processes and to the policy handlers; this process's
      // preflight state and SSE streams hear it on the usage bus before the request answers.
      const notice = buildNotice(orgId, storedRows);
      await emitEvent(ctx, tx, orgId, 'usage.committed', notice);
      tx.onCommit(() =>
        ctx.usageBus.publish(notice, (err) => ctx.logger.error({ err }, 'usage subscriber failed')),
      );
    }
    rejected.sort((a, b) => a.index - b.index);
    return { accepted: requestRows.length, duplicates, enriched, rejected };
  });
  await touch(ctx.db, who, 'last_sync_at');
  return result;
}

function toSettings(p: Awaited<ReturnType<typeof getOwnPrivacy>>): PrivacySettings {
  const settings: PrivacySettings = { timeZone: p.time_zone, windows: p.windows };
  if (p.paused_indefinitely) settings.pausedUntil = 'indefinite';
  else if (p.paused_until) settings.pausedUntil = p.paused_until;
  return settings;
}

async function alreadyStored(tx: Tx, orgId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await tx.db
    .selectFrom('extension_requests')
    .select('id')
    .where('org_id', '=', orgId)
    .where('id', 'in', ids)
    .execute();
  return new Set(rows.map((r) => r.id));
}

/** Per matched agent event: what its group counted so far and the raw sum of its extension requests. */
async function loadGroups(
  tx: Tx,
  orgId: string,
  connections: readonly AgentConnection[],
): Promise<Map<string, { counted: Measures; raw: Measures }>> {
  const groups = new Map<string, { counted: Measures; raw: Measures }>();
  if (connections.length === 0) return groups;
  const rows = await tx.db
    .selectFrom('extension_requests')
    .select((eb) => [
      'agent_event_id',
      eb.fn.sum<string>('bytes_up').as('bytes_up'),
      eb.fn.sum<string>('bytes_down').as('bytes_down'),
      eb.fn.sum<string>('est_input_tokens').as('in_tokens'),
      eb.fn.sum<string>('est_output_tokens').as('out_tokens'),
      eb.fn.sum<string>('counted_bytes_up').as('c_bytes_up'),
      eb.fn.sum<string>('counted_bytes_down').as('c_bytes_down'),
      eb.fn.sum<string>('counted_input_tokens').as('c_in_tokens'),
      eb.fn.sum<string>('counted_output_tokens').as('c_out_tokens'),
    ])
    .where('org_id', '=', orgId)
    .where(
      'agent_event_id',
      'in',
      connections.map((c) => c.id),
    )
    .groupBy('agent_event_id')
    .execute();
  const byId = new Map(connections.map((c) => [c.id, c]));
  for (const row of rows) {
    const agent = row.agent_event_id ? byId.get(row.agent_event_id) : undefined;
    if (!agent) continue;
    const raw = {
      bytesUp: Number(row.bytes_up),
      bytesDown: Number(row.bytes_down),
      inputTokens: Number(row.in_tokens),
      outputTokens: Number(row.out_tokens),
    };
    const extCounted = {
      bytesUp: Number(row.c_bytes_up),
      bytesDown: Number(row.c_bytes_down),
      inputTokens: Number(row.c_in_tokens),
      outputTokens: Number(row.c_out_tokens),
    };
    groups.set(agent.id, { counted: addMeasures(agent.counted, extCounted), raw });
  }
  return groups;
}
