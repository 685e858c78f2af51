import type { RequestRecord } from './record.js';

export const BATCH_SIZE = 50;
export const BATCH_DELAY_MS = 5_000;
/** Kept while the server is unreachable; beyond this the oldest are dropped. */
export const MAX_QUEUED = 5_000;

export type SendResult = 'ok' | 'retry' | 'unauthorized';

/**
 * Batches records like the agent does: a batch leaves at 50 records or 5 s after the first one
 * queued, whichever comes first. A failed send keeps the records for the next attempt (the server
 * dedupes by id, so a resend after a lost answer counts once).
 */
export class Batcher {
  private queue: RequestRecord[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private sending: Promise<void> | null = null;

  constructor(
    private readonly send: (batch: RequestRecord[]) => Promise<SendResult>,
    private readonly persist: (queue: readonly RequestRecord[]) => void = () => {},
    private readonly delayMs = BATCH_DELAY_MS,
  ) {}

  restore(records: readonly RequestRecord[]): void {
    this.queue.unshift(...records);
    this.schedule();
  }

  get size(): number {
    return this.queue.length;
  }

  add(record: RequestRecord): void {
    this.queue.push(record);
    if (this.queue.length > MAX_QUEUED) this.queue.splice(0, this.queue.length - MAX_QUEUED);
    this.persist(this.queue);
    if (this.queue.length >= BATCH_SIZE) void this.flush();
    else this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.queue.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.delayMs);
  }

  /** Sends everything queued, a batch at a time; stops at the first failure. */
  async flush(): Promise<void> {
    if (this.sending) return this.sending;
    let failed = false;
    this.sending = (async () => {
      try {
        while (this.queue.length > 0) {
          const batch = this.queue.slice(0, BATCH_SIZE);
          const result = await this.send(batch).catch((): SendResult => 'retry');
          if (result !== 'ok') {
            failed = result === 'retry';
            break;
          }
          this.queue.splice(0, batch.length);
          this.persist(this.queue);
        }
      } finally {
        this.sending = null;
        if (this.timer) clearTimeout(this.timer);
        this.timer = null;
        // Offline or the server failed: try again after the usual delay (records stay queued).
        if (failed) this.schedule();
      }
    })();
    return this.sending;
  }
}
