import { EventEmitter } from 'node:events';

/** The additive counters every usage figure carries. */
export interface UsageTotals {
  events: number;
  bytes_up: number;
  bytes_down: number;
  est_input_tokens: number;
  est_output_tokens: number;
}

/** One stored event, as subscribers see it: attribution and counts, never content. */
export interface IngestedEvent {
  id: string;
  occurred_at: string;
  source: string;
  user_id: string | null;
  department_id: string | null;
  manager_id: string | null;
  device_id: string | null;
  provider: string;
  product: string;
  category: string;
  model: string | null;
  bytes_up: number;
  bytes_down: number;
  est_input_tokens: number;
  est_output_tokens: number;
  token_method: string;
}

/** Published once per committed batch that stored at least one new event. */
export interface UsageBatchNotice {
  orgId: string;
  /** When the batch committed (ms since epoch): the start of ingest → SSE latency. */
  committedAt: number;
  totals: UsageTotals;
  byUser: Array<UsageTotals & { user_id: string | null; department_id: string | null }>;
  byProvider: Array<UsageTotals & { provider: string }>;
  events: IngestedEvent[];
}

type UsageBusEvents = { batch: [UsageBatchNotice] };

/**
 * The in-process bus of committed usage. Listeners run synchronously in the committing request,
 * so they must be quick (queue work, write to a socket); a throwing listener is isolated by
 * `publish` so one bad subscriber cannot fail an ingest that already committed.
 */
export class UsageBus extends EventEmitter<UsageBusEvents> {
  constructor() {
    super();
    // Every open SSE stream is one listener; there is no meaningful upper bound.
    this.setMaxListeners(0);
  }

  publish(notice: UsageBatchNotice, onError: (error: unknown) => void): void {
    for (const listener of this.listeners('batch')) {
      try {
        listener(notice);
      } catch (error) {
        onError(error);
      }
    }
  }

  /** Subscribes to one org's batches; returns the unsubscribe function. */
  subscribe(orgId: string, listener: (notice: UsageBatchNotice) => void): () => void {
    const filtered = (notice: UsageBatchNotice) => {
      if (notice.orgId === orgId) listener(notice);
    };
    this.on('batch', filtered);
    return () => this.off('batch', filtered);
  }
}
