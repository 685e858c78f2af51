import { randomInt } from 'node:crypto';
import type { DurableQueue } from '../queue/durable-queue.js';
import type { IngestClient } from './ingest-client.js';

export interface ShipperOptions {
  batchSize?: number;
  /** Ship a partial batch once its oldest event has waited this long. */
  maxDelayMs?: number;
  /** Catch-up batches after an outage may be this large (the server accepts 5,000). */
  backlogBatchSize?: number;
  maxBackoffMs?: number;
  /** The first retry waits between this and twice this; each further retry doubles both bounds. */
  baseBackoffMs?: number;
  onShipped?: (count: number) => void;
  onRefused?: (reason: string) => void;
  onError?: (message: string) => void;
}

export type ShipperState =
  | { kind: 'ok'; lastShipmentAt?: string }
  | { kind: 'retrying'; since: string; attempt: number; lastError: string; lastShipmentAt?: string }
  | { kind: 'refused'; reason: string; lastShipmentAt?: string };

/**
 * Exponential backoff with "equal jitter": half the ceiling plus a random part of the other half,
 * so that many agents coming back after an outage do not retry in lockstep.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.floor(ceiling / 2) + randomInt(Math.max(1, Math.floor(ceiling / 2)));
}

/**
 * Moves events from the durable queue to the server: 50 events or 5 seconds, whichever comes
 * first; exponential backoff with jitter while the server is unreachable; an event leaves the
 * queue only after the server acknowledged its batch. A certificate refusal (revoked device)
 * stops shipping — events stay queued — and says why.
 */
export class Shipper<T> {
  state: ShipperState = { kind: 'ok' };
  private oldestWaitingSince: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private flushing = false;
  private busy: Promise<void> | undefined;
  /** Ends a backoff wait early (flush or stop must not wait out a minute of backoff). */
  private wake: (() => void) | undefined;
  private readonly opts: Required<Omit<ShipperOptions, 'onShipped' | 'onRefused' | 'onError'>> &
    ShipperOptions;

  constructor(
    private readonly queue: DurableQueue<T>,
    private readonly client: IngestClient,
    options: ShipperOptions = {},
  ) {
    this.opts = {
      ...options,
      batchSize: options.batchSize ?? 50,
      maxDelayMs: options.maxDelayMs ?? 5000,
      backlogBatchSize: options.backlogBatchSize ?? 1000,
      maxBackoffMs: options.maxBackoffMs ?? 60_000,
      baseBackoffMs: options.baseBackoffMs ?? 1000,
    };
  }

  /** Call after appending to the queue. */
  notify(): void {
    if (this.stopped || this.state.kind === 'refused') return;
    this.oldestWaitingSince ??= Date.now();
    if (this.queue.stats().pending >= this.opts.batchSize) this.schedule(0);
    else this.schedule(Math.max(0, this.oldestWaitingSince + this.opts.maxDelayMs - Date.now()));
  }

  /**
   * Ships everything pending now (shutdown). A transient failure is retried for up to `graceMs`
   * (a busy server should not leave the last connections behind); resolves false when the server
   * stays unavailable or refuses the device — the queue keeps what was not sent. 15 s: a loaded
   * server can take seconds per batch, and the service unit allows 45 s to stop.
   */
  async flush(graceMs = 15_000): Promise<boolean> {
    clearTimeout(this.timer);
    this.flushing = true;
    this.wake?.();
    await this.busy;
    this.flushing = false;
    const deadline = Date.now() + graceMs;
    for (let attempt = 0; ; ) {
      const outcome = await this.shipBatch();
      if (outcome === 'empty') return true;
      if (outcome === 'shipped') {
        attempt = 0;
        continue;
      }
      const left = deadline - Date.now();
      if (this.state.kind === 'refused' || left <= 0) return false;
      attempt += 1;
      await new Promise((resolve) => setTimeout(resolve, Math.min(left, 250 * 2 ** (attempt - 1))));
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.wake?.();
  }

  private schedule(delayMs: number): void {
    if (this.busy) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.busy = this.drain().finally(() => {
        this.busy = undefined;
      });
    }, delayMs);
  }

  private async drain(): Promise<void> {
    let attempt = 0;
    while (!this.stopped && !this.flushing) {
      const outcome = await this.shipBatch();
      if (outcome === 'empty') break;
      if (outcome === 'shipped') {
        attempt = 0;
        continue;
      }
      if (this.state.kind === 'refused') return;
      // A flush or stop that came while this batch was in flight must not wait out the backoff.
      if (this.stopped || this.flushing) break;
      attempt += 1;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(
          resolve,
          backoffDelay(attempt, this.opts.baseBackoffMs, this.opts.maxBackoffMs),
        );
      });
      this.wake = undefined;
    }
    this.oldestWaitingSince = undefined;
  }

  /** Ships the oldest batch: `empty` when nothing is waiting, `failed` when it must wait. */
  private async shipBatch(): Promise<'shipped' | 'empty' | 'failed'> {
    const backlog = this.queue.stats().pending > this.opts.batchSize * 4;
    const batch = this.queue.peek(backlog ? this.opts.backlogBatchSize : this.opts.batchSize);
    if (batch.items.length === 0) return 'empty';
    const lastShipmentAt = this.state.lastShipmentAt;
    try {
      const response = await this.client.post('/ingest/v1/batches', { events: batch.items });
      if (response.status === 200) {
        // Rejected events (an unknown host, say) are final: resending cannot change the answer.
        this.queue.ack(batch.cursor);
        this.state = { kind: 'ok', lastShipmentAt: new Date().toISOString() };
        this.opts.onShipped?.(batch.items.length);
        return 'shipped';
      }
      const error = (response.body.error ?? {}) as { message?: string; details?: { reason?: string } };
      if (response.status === 401 || response.status === 403) {
        const reason = error.message ?? `refused (HTTP ${response.status})`;
        this.state = { kind: 'refused', reason, lastShipmentAt };
        this.opts.onRefused?.(reason);
        return 'failed';
      }
      this.retrying(`HTTP ${response.status}: ${error.message ?? 'server error'}`, lastShipmentAt);
    } catch (err) {
      this.retrying(err instanceof Error ? err.message : String(err), lastShipmentAt);
    }
    return 'failed';
  }

  private retrying(message: string, lastShipmentAt: string | undefined): void {
    const attempt = this.state.kind === 'retrying' ? this.state.attempt + 1 : 1;
    const since = this.state.kind === 'retrying' ? this.state.since : new Date().toISOString();
    this.state = { kind: 'retrying', since, attempt, lastError: message, lastShipmentAt };
    this.opts.onError?.(message);
  }
}
