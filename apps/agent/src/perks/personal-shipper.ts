import path from 'node:path';
import { type Catalogue, estimateTokens } from '@toktra/core';
import { type PersonalUsage, type SealedEntry, sealPersonalUsage } from '@toktra/perks';
import { DurableQueue } from '../queue/durable-queue.js';
import type { AgentEvent } from '../run/flow-events.js';
import type { IngestClient } from '../shipping/ingest-client.js';
import { backoffDelay } from '../shipping/shipper.js';
import type { StatePaths } from '../state-dir.js';

interface DeviceKey {
  enrollment_id: string;
  public_key: string;
}
interface DeviceKeys {
  default: DeviceKey | null;
  by_os_user: Record<string, DeviceKey | null>;
}

export interface PersonalQueueStatus {
  /** Personal events on this device: waiting to be sealed and shipped, or kept here for good. */
  pending: number;
  /** Of those, kept on the device because their person has not opted in to Token Perks. */
  kept_local: number;
  /** Sealed entries the Token Perks ledger acknowledged since the agent started. */
  shipped: number;
  last_error: string | null;
}

/** What the employee will see in their portal: the event, plus the device's token estimate. */
export function toPersonalUsage(event: AgentEvent, catalogue: Catalogue): PersonalUsage {
  const cls = catalogue.classify(event.host);
  const tokens = cls
    ? estimateTokens({
        provider: cls.provider,
        product: cls.product,
        category: cls.category,
        transport: event.transport,
        bytesUp: event.bytes_up,
        bytesDown: event.bytes_down,
      })
    : { inputTokens: 0, outputTokens: 0 };
  return {
    v: 1,
    id: event.id,
    host: event.host,
    provider: cls?.provider ?? null,
    product: cls?.product ?? null,
    occurred_at: event.occurred_at,
    duration_ms: event.duration_ms,
    transport: event.transport,
    bytes_up: event.bytes_up,
    bytes_down: event.bytes_down,
    est_input_tokens: tokens.inputTokens,
    est_output_tokens: tokens.outputTokens,
    source: event.source,
  };
}

/**
 * Token Perks on the device. Personal-mode events wait in their own journal; this asks the server
 * (over the device's mTLS channel) for the public key of the person each event belongs to, seals
 * the event to that key here, and ships only ciphertext to `/ingest/v1/personal`. The corporate
 * queue and shipper never see these events. An event whose person has not opted in moves to a
 * local journal (`personal-held`) and never leaves the device.
 */
export class PersonalShipper {
  private readonly held: DurableQueue<AgentEvent>;
  private timer: NodeJS.Timeout | undefined;
  private busy: Promise<void> | undefined;
  private attempt = 0;
  private stopped = false;
  private shipped = 0;
  private lastError: string | null = null;

  constructor(
    private readonly queue: DurableQueue<AgentEvent>,
    private readonly client: IngestClient,
    paths: StatePaths,
    private readonly catalogue: Catalogue,
    private readonly options: { log: (message: string) => void; delayMs?: number; batchSize?: number },
  ) {
    this.held = DurableQueue.open(path.join(paths.dir, 'personal-held'));
  }

  notify(): void {
    if (this.stopped || this.busy || this.timer) return;
    this.schedule(this.options.delayMs ?? 2000);
  }

  status(): PersonalQueueStatus {
    const keptLocal = this.held.stats().pending;
    return {
      pending: this.queue.stats().pending + keptLocal,
      kept_local: keptLocal,
      shipped: this.shipped,
      last_error: this.lastError,
    };
  }

  /** One last attempt to ship what waits, then close the local journal. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.busy;
    // One last batch, unless the server was just unreachable (shutdown must not wait on it).
    if (this.lastError === null) await this.shipBatch().catch(() => 'failed');
    await this.held.settle();
    this.held.close();
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.busy = this.drain().finally(() => {
        this.busy = undefined;
      });
    }, delayMs);
  }

  private async drain(): Promise<void> {
    while (!this.stopped) {
      let outcome: 'shipped' | 'empty' | 'failed';
      try {
        outcome = await this.shipBatch();
      } catch (error) {
        this.lastError = error instanceof Error ? error.message : String(error);
        outcome = 'failed';
      }
      if (outcome === 'empty') return;
      if (outcome === 'failed') {
        this.attempt += 1;
        this.options.log(`cannot ship personal entries yet (${this.lastError}); will retry`);
        this.schedule(backoffDelay(this.attempt, 1000, 60_000));
        return;
      }
      this.attempt = 0;
    }
  }

  private async shipBatch(): Promise<'shipped' | 'empty' | 'failed'> {
    const batch = this.queue.peek(this.options.batchSize ?? 100);
    if (batch.items.length === 0) return 'empty';
    const osUsers = [...new Set(batch.items.flatMap((e) => (e.os_user ? [e.os_user.toLowerCase()] : [])))];
    const keysResponse = await this.client.post('/ingest/v1/personal/keys', { os_users: osUsers });
    if (keysResponse.status !== 200) return this.failed(keysResponse);
    const keys = keysResponse.body as unknown as DeviceKeys;
    const entries: SealedEntry[] = [];
    const keep: AgentEvent[] = [];
    for (const event of batch.items) {
      const user = event.os_user?.toLowerCase();
      const key = user !== undefined && user in keys.by_os_user ? keys.by_os_user[user] : keys.default;
      if (!key) keep.push(event);
      else
        entries.push(
          await sealPersonalUsage(
            { id: key.enrollment_id, publicKey: key.public_key },
            toPersonalUsage(event, this.catalogue),
          ),
        );
    }
    if (entries.length > 0) {
      const response = await this.client.post('/ingest/v1/personal', { entries });
      // 404: someone opted out between the two requests; the next pass keeps their events here.
      if (response.status !== 200) return this.failed(response);
      this.shipped += entries.length;
    }
    // Journal the kept events before acknowledging the batch: a crash in between duplicates
    // them locally, never loses them.
    if (keep.length > 0) await this.held.appendAsync(keep);
    this.queue.ack(batch.cursor);
    this.lastError = null;
    return 'shipped';
  }

  private failed(response: { status: number; body: Record<string, unknown> }): 'failed' {
    const error = (response.body.error ?? {}) as { message?: string };
    this.lastError = `HTTP ${response.status}: ${error.message ?? 'error'}`;
    return 'failed';
  }
}
