import type { FlowRecord } from '@toktra/capture';
import { type Catalogue, defaultCatalogue } from '@toktra/core';
import type { SocketOwner } from '../attribution/socket-owners.js';
import { readEnrollment } from '../identity/enrollment.js';
import { isPrivate, type PrivacySettings, privacyState } from '../privacy/schedule.js';
import { DurableQueue } from '../queue/durable-queue.js';
import { IngestClient } from '../shipping/ingest-client.js';
import { Shipper } from '../shipping/shipper.js';
import { readJsonFile, type StatePaths, writeStateFile } from '../state-dir.js';
import { AGENT_VERSION } from '../version.js';
import { type AgentEvent, toAgentEvent } from './flow-events.js';

export interface RuntimeOptions {
  paths: StatePaths;
  catalogue?: Catalogue;
  heartbeatMs?: number;
  batchSize?: number;
  maxDelayMs?: number;
  log: (message: string) => void;
}

export interface AgentStatusFile {
  pid: number;
  updated_at: string;
  capture: Record<string, unknown>;
  shipper: Shipper<AgentEvent>['state'];
  queue: { pending: number; dropped: number };
  personal_queue: { pending: number };
  privacy_state: string;
  personal_mode: boolean;
}

/**
 * Everything between a finished connection and the server: privacy and personal-mode routing,
 * the durable queues, shipping, heartbeats and the status file `toktra agent status` reads.
 * Capture sources (live tcpdump, the proxy) only call `record`.
 */
export class AgentRuntime {
  readonly queue: DurableQueue<AgentEvent>;
  /** Personal-mode events stay on the device until the Token Perks ledger takes them. */
  readonly personalQueue: DurableQueue<AgentEvent>;
  readonly shipper: Shipper<AgentEvent>;
  private readonly client: IngestClient;
  private readonly catalogue: Catalogue;
  private timers: NodeJS.Timeout[] = [];
  captureStats: () => Record<string, unknown> = () => ({});

  constructor(private readonly options: RuntimeOptions) {
    const enrollment = readEnrollment(options.paths);
    if (!enrollment)
      throw new Error(
        `this device is not enrolled (no ${options.paths.enrollment}); run: toktra agent enroll --server URL --token T`,
      );
    this.catalogue = options.catalogue ?? defaultCatalogue;
    this.queue = DurableQueue.open(options.paths.queue);
    this.personalQueue = DurableQueue.open(options.paths.personalQueue);
    this.client = new IngestClient(options.paths, enrollment);
    this.shipper = new Shipper(this.queue, this.client, {
      batchSize: options.batchSize,
      maxDelayMs: options.maxDelayMs,
      onRefused: (reason) =>
        options.log(`the server refused this device: ${reason}. Shipping stopped; events stay queued.`),
      onError: (message) => options.log(`cannot ship yet (${message}); will retry`),
    });
  }

  privacy(): PrivacySettings | undefined {
    return readJsonFile<PrivacySettings>(this.options.paths.privacy);
  }

  personalMode(): boolean {
    return readJsonFile<{ enabled: boolean }>(this.options.paths.personal)?.enabled === true;
  }

  isPaused(now = new Date()): boolean {
    return isPrivate(this.privacy(), now);
  }

  /**
   * A finished connection: journalled (fsync, off the event loop) before it counts as captured,
   * then shipped.
   */
  record(
    flow: Pick<FlowRecord, 'sni' | 'transport' | 'startedAt' | 'endedAt' | 'bytesUp' | 'bytesDown'>,
    owner?: SocketOwner,
    source: 'agent' | 'proxy' = 'agent',
  ): void {
    if (this.isPaused(new Date(flow.startedAt)) || this.isPaused()) return;
    const personal = this.personalMode();
    const event = toAgentEvent(flow, this.catalogue, { osUser: owner?.user, personal, source });
    if (!event) return;
    const queue = personal ? this.personalQueue : this.queue;
    queue.appendAsync([event]).then(
      () => {
        if (!personal) this.shipper.notify();
      },
      (error: Error) => this.options.log(`cannot write the local queue: ${error.message}`),
    );
  }

  start(): void {
    this.shipper.notify();
    this.timers.push(setInterval(() => void this.heartbeat(), this.options.heartbeatMs ?? 60_000));
    this.timers.push(setInterval(() => this.writeStatus(), 2000));
    void this.heartbeat();
    this.writeStatus();
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await Promise.all([this.queue.settle(), this.personalQueue.settle()]);
    await this.shipper.flush();
    this.shipper.stop();
    this.writeStatus();
    this.queue.close();
    this.personalQueue.close();
    this.client.close();
  }

  async heartbeat(): Promise<void> {
    const capture = this.captureStats();
    try {
      await this.client.post('/ingest/v1/heartbeat', {
        agent_version: AGENT_VERSION,
        queue_depth: this.queue.stats().pending,
        privacy_state: privacyState(this.privacy()),
        capture: {
          drops: Number(capture.drops ?? 0),
          queue_dropped: this.queue.stats().dropped,
          capturing: Boolean(capture.capturing),
        },
      });
    } catch {
      // the shipper reports reachability; a missed heartbeat only delays "protected"
    }
  }

  writeStatus(): void {
    const status: AgentStatusFile = {
      pid: process.pid,
      updated_at: new Date().toISOString(),
      capture: this.captureStats(),
      shipper: this.shipper.state,
      queue: { pending: this.queue.stats().pending, dropped: this.queue.stats().dropped },
      personal_queue: { pending: this.personalQueue.stats().pending },
      privacy_state: privacyState(this.privacy()),
      personal_mode: this.personalMode(),
    };
    writeStateFile(this.options.paths.status, `${JSON.stringify(status, null, 2)}\n`);
  }
}
