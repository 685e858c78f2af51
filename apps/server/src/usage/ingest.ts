import { AppError, type Catalogue, estimateTokens, isUuid } from '@toktra/core';
import type { AppContext } from '../context.js';
import { markDeviceSeen } from '../devices/service.js';
import { emitEvent } from '../events/outbox.js';
import { absorbExtensionRequests } from '../extension/agent-overlap.js';
import { withoutPrivateEvents } from '../privacy/ingest-backstop.js';
import { getCalibratedRatios } from '../reconciliation/calibration.js';
import type { UsageBatchNotice, UsageTotals } from './bus.js';
import { type Attribution, attributeEvents, type OrgFacts } from './enrich.js';
import {
  MAX_AGE_DAYS,
  MAX_BATCH_EVENTS,
  type Rejection,
  type ValidEvent,
  validateEvent,
} from './event-input.js';
import { recordIngest } from './ingest-metrics.js';
import { loadOrgIngestConfig } from './org-cache.js';
import { aggregateRollups, type EventRow, insertEvents, upsertRollups } from './store.js';

export type IngestOrigin = { type: 'device'; deviceId: string } | { type: 'api'; keyId: string };

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: Rejection[];
}

/**
 * The usage pipeline, shared by the mTLS agent endpoint and `POST /v1/events`. Validates each
 * event on its own (a bad one is reported by index, the rest are kept), then in ONE transaction:
 * attributes events to users, classifies hosts, estimates tokens, inserts events skipping ids
 * already stored (a resent batch counts once) and adds only the new events to the rollups. After
 * commit it publishes the batch's totals on `ctx.usageBus`.
 *
 * `orgId` must come from the caller's credential (certificate or API key), never from the body.
 */
export async function ingestBatch(
  ctx: AppContext,
  orgId: string,
  origin: { type: 'device'; deviceId: string } | { type: 'api'; keyId: string },
  rawEvents: unknown[],
): Promise<{
  accepted: number;
  duplicates: number;
  rejected: Array<{ index: number; code: string; message: string }>;
}> {
  if (!Array.isArray(rawEvents)) throw new AppError('validation_failed', 'events must be an array');
  if (rawEvents.length > MAX_BATCH_EVENTS) {
    throw new AppError(
      'payload_too_large',
      `a batch holds at most ${MAX_BATCH_EVENTS} events, got ${rawEvents.length}; split it`,
    );
  }
  // Reconciliation's per-org calibrated ratios (cached); ratios set in org settings win.
  const calibrated = await getCalibratedRatios(ctx, orgId);
  const started = performance.now();
  const result = await ctx.db.withTenant(orgId, async (tx) => {
    const { facts, catalogue } = await loadOrgIngestConfig(ctx.db, tx, orgId);
    const org = { ...facts, ratioOverrides: { ...calibrated, ...facts.ratioOverrides } };
    const rejected: Rejection[] = [];
    const valid = validateAll(rawEvents, origin, org, rejected);
    // Ids repeated inside one batch are duplicates of their first occurrence.
    const unique = new Map<string, ValidEvent>();
    let duplicates = 0;
    for (const e of valid) {
      if (unique.has(e.id)) duplicates++;
      else unique.set(e.id, e);
    }
    const events = [...unique.values()];
    if (origin.type === 'device') await markDeviceSeen(tx, orgId, origin.deviceId);
    const attribution = await attributeEvents(tx, orgId, origin, events);
    let rows: EventRow[] = [];
    for (const e of events) {
      const row = buildRow(e, origin, attribution.get(e.index), catalogue, org, rejected);
      if (row) rows.push(row);
    }
    if (origin.type === 'device') rows = await withoutPrivateEvents(tx, orgId, rows);
    // Extension requests already counted for the same connection are not counted twice.
    if (origin.type === 'device') await absorbExtensionRequests(tx, orgId, rows);
    const fresh = await insertEvents(tx, orgId, rows);
    duplicates += rows.length - fresh.size;
    const stored = rows.filter((r) => fresh.has(r.id));
    await upsertRollups(tx, orgId, aggregateRollups(stored, org.timeZone));
    if (stored.length > 0) {
      // The event carries the batch to other processes and to the policy handlers; this process's
      // preflight state and SSE streams hear it on the usage bus before the request answers.
      const notice = buildNotice(orgId, stored);
      await emitEvent(ctx, tx, orgId, 'usage.committed', notice);
      tx.onCommit(() =>
        ctx.usageBus.publish(notice, (err) => ctx.logger.error({ err }, 'usage subscriber failed')),
      );
    }
    rejected.sort((a, b) => a.index - b.index);
    return { accepted: stored.length, duplicates, rejected };
  });
  recordIngest(ctx, origin.type, result, (performance.now() - started) / 1000);
  return result;
}

function validateAll(
  raw: unknown[],
  origin: IngestOrigin,
  org: OrgFacts,
  rejected: Rejection[],
): ValidEvent[] {
  const now = Date.now();
  const oldestDays = Math.min(org.retentionDays, MAX_AGE_DAYS);
  const bounds = { now, oldestDays, oldestMs: now - oldestDays * 86_400_000 };
  const valid: ValidEvent[] = [];
  raw.forEach((item, index) => {
    const outcome = validateEvent(item, index, origin.type, bounds);
    if (outcome.ok) valid.push(outcome.event);
    else rejected.push(outcome.rejection);
  });
  return valid;
}

/** Classifies and estimates one event; `null` (with a rejection recorded) when it cannot be stored. */
function buildRow(
  e: ValidEvent,
  origin: IngestOrigin,
  who: Attribution | null | undefined,
  catalogue: Catalogue,
  org: OrgFacts,
  rejected: Rejection[],
): EventRow | null {
  if (!who) {
    rejected.push({
      index: e.index,
      code: 'unknown_user',
      message: 'no user with that user_id or user_email in this org',
    });
    return null;
  }
  const classified = e.host ? catalogue.classify(e.host) : null;
  let provider: string;
  let product: string;
  let category: string;
  let tokens: { inputTokens: number; outputTokens: number; method: string };
  if (e.source === 'api') {
    // The reporter states the provider; the host, when known, only refines product and category.
    provider = e.provider ?? 'unknown';
    const same = classified?.provider === provider ? classified : null;
    product = same?.product ?? 'api';
    category = same?.category ?? 'llm-api';
    tokens =
      e.reportedInput !== null || e.reportedOutput !== null
        ? { inputTokens: e.reportedInput ?? 0, outputTokens: e.reportedOutput ?? 0, method: 'reported' }
        : estimateTokens(
            {
              provider,
              product: same?.product ?? 'api',
              transport: 'tcp',
              bytesUp: e.bytesUp,
              bytesDown: e.bytesDown,
              category,
            },
            org.ratioOverrides,
          );
  } else {
    if (!classified) {
      // Not AI traffic as far as this org's catalogue knows: never stored, never reported.
      rejected.push({
        index: e.index,
        code: 'unknown_host',
        message: `host "${e.host}" is not in the catalogue`,
      });
      return null;
    }
    ({ provider, product, category } = classified);
    tokens = estimateTokens(
      {
        provider,
        product: classified.product,
        transport: e.transport ?? 'tcp',
        bytesUp: e.bytesUp,
        bytesDown: e.bytesDown,
        category,
        // A later exchange on an agent's connection holds no handshake (docs/agent/byte-counting.md).
        followUp: e.seq !== null && e.seq > 0,
      },
      org.ratioOverrides,
    );
  }
  return {
    id: e.id,
    occurred_at: e.occurredAt,
    ended_at: e.endedAt,
    device_id: origin.type === 'device' ? origin.deviceId : null,
    api_key_id: origin.type === 'api' && isUuid(origin.keyId) ? origin.keyId : null,
    user_id: who.userId,
    department_id: who.departmentId,
    manager_id: who.managerId,
    os_user: e.osUser,
    source: e.source,
    host: e.host,
    provider,
    product,
    category,
    model: e.model,
    transport: e.transport,
    bytes_up: e.bytesUp,
    bytes_down: e.bytesDown,
    duration_ms: e.durationMs,
    est_input_tokens: tokens.inputTokens,
    est_output_tokens: tokens.outputTokens,
    token_method: tokens.method,
  };
}

function zero(): UsageTotals {
  return { events: 0, bytes_up: 0, bytes_down: 0, est_input_tokens: 0, est_output_tokens: 0 };
}

function add(t: UsageTotals, r: EventRow): void {
  t.events += 1;
  t.bytes_up += r.bytes_up;
  t.bytes_down += r.bytes_down;
  t.est_input_tokens += r.est_input_tokens;
  t.est_output_tokens += r.est_output_tokens;
}

export function buildNotice(orgId: string, rows: EventRow[]): UsageBatchNotice {
  const totals = zero();
  const byUser = new Map<string, UsageTotals & { user_id: string | null; department_id: string | null }>();
  const byProvider = new Map<string, UsageTotals & { provider: string }>();
  for (const r of rows) {
    add(totals, r);
    const userKey = `${r.user_id}|${r.department_id}`;
    const u = byUser.get(userKey) ?? { user_id: r.user_id, department_id: r.department_id, ...zero() };
    byUser.set(userKey, u);
    add(u, r);
    const p = byProvider.get(r.provider) ?? { provider: r.provider, ...zero() };
    byProvider.set(r.provider, p);
    add(p, r);
  }
  return {
    orgId,
    committedAt: Date.now(),
    totals,
    byUser: [...byUser.values()],
    byProvider: [...byProvider.values()],
    events: rows.map((r) => ({
      id: r.id,
      occurred_at: r.occurred_at.toISOString(),
      source: r.source,
      user_id: r.user_id,
      department_id: r.department_id,
      manager_id: r.manager_id,
      device_id: r.device_id,
      provider: r.provider,
      product: r.product,
      category: r.category,
      model: r.model,
      bytes_up: r.bytes_up,
      bytes_down: r.bytes_down,
      est_input_tokens: r.est_input_tokens,
      est_output_tokens: r.est_output_tokens,
      token_method: r.token_method,
    })),
  };
}
