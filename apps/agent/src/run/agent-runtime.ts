import type { FlowRecord } from '@toktra/capture';
import { type Catalogue, defaultCatalogue } from '@toktra/core';
import type { SocketOwner } from '../attribution/socket-owners.js';
import { readEnrollment } from '../identity/enrollment.js';
import { type PersonalQueueStatus, PersonalShipper } from '../perks/personal-shipper.js';
import { PrivacyPolicy } from '../privacy/policy.js';
import { syncPortalPrivacy } from '../privacy/portal-sync.js';
import { prepareRequestDir, processRequests } from '../privacy/requests.js';
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
  /** How often the portal's Privacy Hours are fetched (default 15 s; TOKTRA_AGENT_PRIVACY_POLL_MS). */
  privacyPollMs?: number;
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
  personal_queue: PersonalQueueStatus;
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
  /** Seals personal events to their person's Token Perks key and ships only ciphertext. */
  readonly personalShipper: PersonalShipper;
  readonly shipper: Shipper<AgentEvent>;
  private readonly client: IngestClient;
  private readonly catalogue: Catalogue;
  readonly privacy: PrivacyPolicy;
  /** The privacy state the last heartbeat reported: a change is reported at once, not in a minute. */
  private reportedPrivacy: string | undefined;
  private timers: NodeJS.Timeout[] = [];
  captureStats: () => Record<string, unknown> = () => ({});

  constructor(private readonly options: RuntimeOptions) {
    const enrollment = readEnrollment(options.paths);
    if (!enrollment)
      throw new Error(
        `this device is not enrolled (no ${options.paths.enrollment}); run: toktra agent enroll --server URL --token T`,
      );
    this.catalogue = options.catalogue ?? defaultCatalogue;
    this.privacy = new PrivacyPolicy(options.paths);
    this.queue = DurableQueue.open(options.paths.queue);
    this.personalQueue = DurableQueue.open(options.paths.personalQueue);
    this.client = new IngestClient(options.paths, enrollment);
    this.personalShipper = new PersonalShipper(
      this.personalQueue,
      this.client,
      options.paths,
      this.catalogue,
      { log: options.log },
    );
    this.shipper = new Shipper(this.queue, this.client, {
      batchSize: options.batchSize,
      maxDelayMs: options.maxDelayMs,
      onRefused: (reason) =>
        options.log(`the server refused this device: ${reason}. Shipping stopped; events stay queued.`),
      onError: (message) => options.log(`cannot ship yet (${message}); will retry`),
    });
  }

  personalMode(): boolean {
    return readJsonFile<{ enabled: boolean }>(this.options.paths.personal)?.enabled === true;
  }

  /** Capture itself stops: device-wide Privacy Hours, or everyone attributable here is private. */
  isPaused(now = new Date()): boolean {
    return this.privacy.captureBlocked(now);
  }

  /**
   * A finished connection (proxy) or exchange (capture): journalled (fsync, off the event loop) before it counts as captured,
   * then shipped.
   */
  record(
    flow: Pick<FlowRecord, 'sni' | 'transport' | 'startedAt' | 'endedAt' | 'bytesUp' | 'bytesDown'>,
    owner?: SocketOwner,
    source: 'agent' | 'proxy' = 'agent',
    extra: { connection?: { id: string; seq: number }; ownerUnknown?: boolean } = {},
  ): void {
    // Dropped before it becomes an event: private when it started or now (a window began mid-way).
    if (this.privacy.isPrivateFor(owner, new Date(flow.startedAt)) || this.privacy.isPrivateFor(owner))
      return;
    if (owner) this.privacy.seenAccounts.add(owner.user.toLowerCase());
    const personal = this.personalMode();
    const event = toAgentEvent(flow, this.catalogue, {
      osUser: owner?.user,
      osUserUnknown: extra.ownerUnknown,
      personal,
      source,
      connection: extra.connection,
    });
    if (!event) return;
    const queue = personal ? this.personalQueue : this.queue;
    queue.appendAsync([event]).then(
      () => {
        if (personal) this.personalShipper.notify();
        else this.shipper.notify();
      },
      (error: Error) => this.options.log(`cannot write the local queue: ${error.message}`),
    );
  }

  start(): void {
    this.shipper.notify();
    this.personalShipper.notify();
    this.timers.push(setInterval(() => void this.heartbeat(), this.options.heartbeatMs ?? 60_000));
    this.timers.push(
      setInterval(() => {
        this.writeStatus();
        if (this.reportedPrivacy !== undefined && this.reportedPrivacy !== this.privacy.state())
          void this.heartbeat();
      }, 2000),
    );
    prepareRequestDir(this.options.paths);
    this.timers.push(setInterval(() => processRequests(this.options.paths, this.privacy), 500));
    const pollMs = this.options.privacyPollMs ?? (Number(process.env.TOKTRA_AGENT_PRIVACY_POLL_MS) || 15_000);
    this.timers.push(setInterval(() => void this.syncPrivacy(), pollMs));
    void this.syncPrivacy();
    void this.heartbeat();
    this.writeStatus();
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await Promise.all([this.queue.settle(), this.personalQueue.settle()]);
    await this.shipper.flush();
    this.shipper.stop();
    await this.personalShipper.stop();
    this.writeStatus();
    this.queue.close();
    this.personalQueue.close();
    this.client.close();
  }

  /** The portal's Privacy Hours for this device's accounts (kept on disk; see portal-sync). */
  syncPrivacy(): Promise<'updated' | 'unreachable'> {
    return syncPortalPrivacy(this.client, this.options.paths, this.privacy);
  }

  async heartbeat(): Promise<void> {
    const capture = this.captureStats();
    const privacyState = this.privacy.state();
    try {
      await this.client.post('/ingest/v1/heartbeat', {
        agent_version: AGENT_VERSION,
        queue_depth: this.queue.stats().pending,
        privacy_state: privacyState,
        capture: {
          drops: Number(capture.drops ?? 0),
          queue_dropped: this.queue.stats().dropped,
          capturing: Boolean(capture.capturing),
        },
      });
      this.reportedPrivacy = privacyState;
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
      personal_queue: this.personalShipper.status(),
      privacy_state: this.privacy.state(),
      personal_mode: this.personalMode(),
    };
    writeStateFile(this.options.paths.status, `${JSON.stringify(status, null, 2)}\n`);
  }
}
