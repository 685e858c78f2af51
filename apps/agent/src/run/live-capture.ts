import type { ChildProcessByStdio } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import {
  type CaptureEngine,
  type CaptureStats,
  createCaptureEngine,
  type ExchangeRecord,
  type FlowRecord,
} from '@toktra/capture';
import { type FlowEndpoints, type SocketOwner, SocketOwners } from '../attribution/socket-owners.js';
import { startTcpdump, type TcpdumpOptions } from './tcpdump.js';

export interface LiveCaptureOptions extends TcpdumpOptions {
  /** Where tcpdump's pid is kept, so a tcpdump orphaned by a killed agent is stopped next start. */
  pidFile?: string;
  /** Background sampling of the socket tables (handshakes also look their owner up at once). */
  socketPollMs?: number;
  /** Handshakes are attributed in groups, at most one socket-table read per this interval. */
  ownerLookupMs?: number;
  /** How often tcpdump is asked for its kernel-drop counter (SIGUSR1). */
  statsEveryMs?: number;
  /** Checked every second: while true, tcpdump is stopped and in-flight connections discarded. */
  isPaused: () => boolean;
  /** Silence that closes an answered exchange while the connection stays open (default 2 s). */
  exchangeIdleMs?: number;
  /** The account database (tests); default /etc/passwd. */
  passwdFile?: string;
  /**
   * Each request/response exchange of a connection, as soon as it is complete; the last one when
   * the connection ends. `owner` is the socket's owner, or the device's only interactive account
   * when the owner could not be learnt (`ownerKnown` false); undefined means nobody may be charged.
   */
  onExchange: (exchange: ExchangeRecord, owner: SocketOwner | undefined, ownerKnown: boolean) => void;
  /** The connection (FlowRecord.id) ended; its last exchange, if any bytes were left, came before. */
  onConnectionEnd?: (id: number) => void;
  onError: (error: Error) => void;
}

const flowKey = (f: Pick<FlowRecord, 'transport' | 'srcIp' | 'srcPort' | 'dstIp' | 'dstPort'>) =>
  `${f.transport}|${f.srcIp}|${f.srcPort}|${f.dstIp}|${f.dstPort}`;

/**
 * Live capture: tcpdump's pcap stream into the capture engine, each connection attributed to the
 * local user who owned its socket, looked up from the connection's SYN. Privacy Hours stop the capture
 * itself, so nothing is captured, not merely not sent.
 */
export class LiveCapture {
  private tcpdump: ChildProcessByStdio<null, Readable, Readable> | undefined;
  private engine: CaptureEngine | undefined;
  private readonly owners: SocketOwners;
  private readonly ownerByFlow = new Map<string, SocketOwner>();
  /** Handshakes seen whose socket owner is still to be looked up. */
  private readonly pendingOwners: FlowEndpoints[] = [];
  private timers: NodeJS.Timeout[] = [];
  private transition: Promise<void> = Promise.resolve();
  private readonly totals = { packets: 0, drops: 0, restarts: 0, unattributed: 0, connections: 0 };
  private lastLookupAt = 0;
  private lookupTimer: NodeJS.Timeout | undefined;
  /** The running tcpdump's own kernel-drop count (cumulative for that process). */
  private liveDrops = 0;

  constructor(private readonly options: LiveCaptureOptions) {
    this.owners = new SocketOwners({ remotePorts: options.ports, passwdFile: options.passwdFile });
  }

  get capturing(): boolean {
    return this.tcpdump !== undefined;
  }

  stats(): {
    packets: number;
    drops: number;
    restarts: number;
    unattributed: number;
    connections: number;
    activeFlows: number;
    engine?: CaptureStats;
  } {
    return {
      ...this.totals,
      drops: this.totals.drops + this.liveDrops,
      packets: this.totals.packets + (this.engine?.stats.packets ?? 0),
      activeFlows: this.engine?.activeFlows ?? 0,
      engine: this.engine?.stats,
    };
  }

  async start(): Promise<void> {
    if (this.options.pidFile) stopOrphanedTcpdump(this.options.pidFile);
    if (!this.options.isPaused()) await this.startCapture();
    // Owners are looked up when a handshake is seen (on demand, see attributePending); a slow
    // background sample also remembers sockets that close before their packets are processed.
    this.timers.push(setInterval(() => this.owners.poll(), this.options.socketPollMs ?? 500));
    this.timers.push(setInterval(() => this.tcpdump?.kill('SIGUSR1'), this.options.statsEveryMs ?? 5000));
    this.timers.push(
      setInterval(() => {
        this.engine?.expire(Date.now());
        const paused = this.options.isPaused();
        if (paused && this.tcpdump) this.transition = this.transition.then(() => this.stopCapture(false));
        if (!paused && !this.tcpdump) {
          this.transition = this.transition
            .then(() => this.startCapture())
            .catch((e: Error) => this.options.onError(e));
        }
      }, 1000),
    );
  }

  /** Stops capturing; in-flight connections are reported (graceful shutdown) unless discarded. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    clearTimeout(this.lookupTimer);
    this.timers = [];
    await this.transition;
    await this.stopCapture(true);
  }

  private async startCapture(): Promise<void> {
    const engine = createCaptureEngine({
      // Final byte counts are handed on the moment a connection closes: nothing finished waits
      // in memory for a kill -9 to lose it.
      emitOnClose: true,
      // The capture filter drops the server's data segments (see captureFilter).
      countDownFromAcks: true,
      exchangeIdleMs: this.options.exchangeIdleMs,
      // The owner is looked up from the SYN / first Initial, while the socket surely exists — not
      // when the handshake is processed, by which time a short call's socket may be gone.
      onConnectionStart: (endpoints) => {
        // A reused local port must not inherit the previous connection's owner.
        this.owners.forgetBefore(endpoints, endpoints.startedAt);
        this.ownerByFlow.delete(flowKey(endpoints));
        this.pendingOwners.push(endpoints);
      },
      onExchange: (exchange) => {
        const key = flowKey(exchange);
        if (!this.ownerByFlow.has(key) && this.pendingOwners.some((f) => flowKey(f) === key))
          this.attributePending(true);
        let owner = this.ownerByFlow.get(key);
        if (!owner && exchange.seq === 0) {
          // Capture that began mid-handshake (no SYN seen): one more try now.
          owner = this.owners.lookup(exchange);
          if (owner) this.ownerByFlow.set(key, owner);
        }
        if (!owner && exchange.seq === 0) this.totals.unattributed += 1;
        this.options.onExchange(exchange, owner ?? this.owners.soleAccount(), owner !== undefined);
      },
      onFlow: (flow) => {
        this.ownerByFlow.delete(flowKey(flow));
        this.totals.connections += flow.sni ? 1 : 0;
        this.options.onConnectionEnd?.(flow.id);
      },
    });
    const child = await startTcpdump(this.options);
    child.stdout.on('data', (chunk: Buffer) => {
      engine.push(chunk);
      this.attributePending();
    });
    // tcpdump prints its counters on SIGUSR1 (Linux) and at exit; the kernel's drop count is
    // cumulative per process, so the latest line wins and is folded into the total on close.
    let stderrTail = '';
    child.stderr.on('data', (d: Buffer) => {
      const lines = (stderrTail + d.toString()).split('\n');
      stderrTail = lines.pop() ?? '';
      for (const line of lines) {
        const dropped = /(\d+) packets dropped by kernel/.exec(line);
        if (dropped) this.liveDrops = Number(dropped[1]);
      }
    });
    child.once('close', () => {
      this.totals.drops += this.liveDrops;
      this.liveDrops = 0;
    });
    child.once('exit', () => {
      if (this.tcpdump === child) {
        this.tcpdump = undefined;
        this.totals.restarts += 1;
      }
    });
    this.engine = engine;
    this.tcpdump = child;
    if (this.options.pidFile && child.pid)
      writeFileSync(this.options.pidFile, String(child.pid), { mode: 0o600 });
  }

  /**
   * Owners for the handshakes seen since the last lookup: one table read for all of them, at
   * most every `ownerLookupMs` (a read renders every socket as text: at 70 new connections/s,
   * one read per handshake cost a fifth of a core). `force` (a flow has ended) reads at once.
   */
  private attributePending(force = false): void {
    if (this.pendingOwners.length === 0) return;
    const wait = this.lastLookupAt + (this.options.ownerLookupMs ?? 20) - Date.now();
    if (wait > 0 && !force) {
      this.lookupTimer ??= setTimeout(() => {
        this.lookupTimer = undefined;
        this.attributePending();
      }, wait);
      return;
    }
    this.lastLookupAt = Date.now();
    const flows = this.pendingOwners.splice(0);
    const owners = this.owners.lookupAll(flows);
    flows.forEach((flow, i) => {
      const owner = owners[i];
      if (owner) this.ownerByFlow.set(flowKey(flow), owner);
    });
  }

  private async stopCapture(reportInFlight: boolean): Promise<void> {
    const child = this.tcpdump;
    const engine = this.engine;
    this.tcpdump = undefined;
    this.engine = undefined;
    if (child) {
      // Privacy Hours: nothing tcpdump still has in its pipe may reach the engine. Shutdown: it
      // must, so that the last packets of open connections are counted before they are reported.
      if (!reportInFlight) child.stdout.removeAllListeners('data');
      const exited = new Promise((r) => child.once('close', r));
      child.kill('SIGTERM');
      await exited;
    }
    if (engine) {
      this.totals.packets += engine.stats.packets ?? 0;
      if (reportInFlight) engine.end();
    }
    this.ownerByFlow.clear();
  }
}

/** A killed agent cannot stop its tcpdump; the next start does, if it is still ours. */
function stopOrphanedTcpdump(pidFile: string): void {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8'));
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (cmdline.startsWith('tcpdump\0') || cmdline.includes('/tcpdump\0')) process.kill(pid, 'SIGTERM');
  } catch {
    // no pid file, or that process is gone
  }
  rmSync(pidFile, { force: true });
}
