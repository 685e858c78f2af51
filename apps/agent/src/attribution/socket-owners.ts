import { readFileSync } from 'node:fs';
import { readInteractiveAccounts, readUserNames } from './passwd.js';
import { parseProcNet } from './proc-net.js';

export interface SocketOwner {
  uid: number;
  user: string;
}

export interface FlowEndpoints {
  transport: 'tcp' | 'quic';
  /** The local (client) side of the connection. */
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
}

export interface SocketOwnerOptions {
  procRoot?: string;
  /** The account database (tests point it at a file of their own). */
  passwdFile?: string;
  /** How long an observed socket is remembered after it disappears (short-lived connections). */
  rememberMs?: number;
  /** Only sockets to these remote ports are tracked (the agent watches 443 by default). */
  remotePorts?: readonly number[];
  now?: () => number;
}

const stripMapped = (ip: string) => (ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip);
const keyOf = (kind: string, srcIp: string, srcPort: number, dstIp: string, dstPort: number) =>
  `${kind}|${stripMapped(srcIp)}|${srcPort}|${stripMapped(dstIp)}|${dstPort}`;

/**
 * Attributes connections to local users from the kernel's socket tables. Sockets are sampled
 * (`poll`) often and remembered for a while, so a connection that closed before its packets were
 * processed is still attributed. TIME_WAIT sockets report uid 0 and are ignored.
 */
export class SocketOwners {
  private readonly seen = new Map<string, { uid: number; at: number }>();
  private names: Map<number, string>;
  private readonly passwdFile: string | undefined;
  private readonly procRoot: string;
  private readonly rememberMs: number;
  private readonly now: () => number;
  private readonly remotePorts: readonly number[] | undefined;

  constructor(options: SocketOwnerOptions = {}) {
    this.procRoot = options.procRoot ?? '/proc';
    this.passwdFile = options.passwdFile;
    this.names = readUserNames(this.passwdFile);
    this.rememberMs = options.rememberMs ?? 120_000;
    this.now = options.now ?? Date.now;
    this.remotePorts = options.remotePorts;
  }

  /**
   * Reads the socket tables once (only those of `kinds`). Not free: the kernel renders every
   * socket, TIME_WAIT ones included, as text — at 70 new connections/s polling all four tables
   * every 20 ms cost ~60 % of a core — so the capture polls on demand, when a handshake needs an
   * owner, and only slowly in the background.
   */
  poll(kinds: readonly ('tcp' | 'udp')[] = ['tcp', 'udp']): void {
    const at = this.now();
    for (const [file, kind] of [
      ['tcp', 'tcp'],
      ['tcp6', 'tcp'],
      ['udp', 'udp'],
      ['udp6', 'udp'],
    ] as const) {
      if (!kinds.includes(kind)) continue;
      let text: string;
      try {
        text = readFileSync(`${this.procRoot}/net/${file}`, 'utf8');
      } catch {
        continue;
      }
      for (const s of parseProcNet(text, this.remotePorts)) {
        if (s.inode === 0) continue; // TIME_WAIT and friends: no owner any more
        this.seen.set(keyOf(kind, s.localIp, s.localPort, s.remoteIp, s.remotePort), { uid: s.uid, at });
        // Unconnected UDP sockets (QUIC clients often use them) have no remote address.
        if (kind === 'udp' && s.remotePort === 0)
          this.seen.set(keyOf(kind, s.localIp, s.localPort, '*', 0), { uid: s.uid, at });
      }
    }
    for (const [key, entry] of this.seen) if (at - entry.at > this.rememberMs) this.seen.delete(key);
  }

  /** The owner of the flow's local socket, polling once more if it is not known yet. */
  lookup(flow: FlowEndpoints): SocketOwner | undefined {
    return this.lookupAll([flow])[0];
  }

  /** Owners of several flows, with at most one poll of the tables they need. */
  lookupAll(flows: readonly FlowEndpoints[]): Array<SocketOwner | undefined> {
    let found = flows.map((f) => this.find(f));
    const missing = new Set(
      flows.filter((_, i) => !found[i]).map((f) => (f.transport === 'tcp' ? 'tcp' : 'udp') as 'tcp' | 'udp'),
    );
    if (missing.size > 0) {
      this.poll([...missing]);
      found = found.map((hit, i) => hit ?? this.find(flows[i]!));
    }
    return found.map((hit) => {
      if (!hit) return undefined;
      if (!this.names.has(hit.uid)) this.names = readUserNames(this.passwdFile);
      return { uid: hit.uid, user: this.names.get(hit.uid) ?? `uid:${hit.uid}` };
    });
  }

  /**
   * A new connection on this 4-tuple began at `startedAt` (its SYN): an owner sampled before then
   * belonged to an earlier connection that used the same local port — possibly another account's —
   * and must not be handed to this one.
   */
  forgetBefore(flow: FlowEndpoints, startedAt: number): void {
    const kind = flow.transport === 'tcp' ? 'tcp' : 'udp';
    const key = keyOf(kind, flow.srcIp, flow.srcPort, flow.dstIp, flow.dstPort);
    const entry = this.seen.get(key);
    if (entry && entry.at < startedAt) this.seen.delete(key);
  }

  /**
   * Records an owner learnt elsewhere (the eBPF connect tracer), so a socket that is gone before
   * its handshake is processed is still attributed.
   */
  remember(flow: FlowEndpoints, uid: number): void {
    const kind = flow.transport === 'tcp' ? 'tcp' : 'udp';
    this.seen.set(keyOf(kind, flow.srcIp, flow.srcPort, flow.dstIp, flow.dstPort), { uid, at: this.now() });
  }

  /**
   * The device's only interactive account, or undefined when there are none or several: an
   * unknown socket owner may be charged to that person and to nobody else.
   */
  soleAccount(): SocketOwner | undefined {
    const at = this.now();
    if (!this.accounts || at - this.accounts.at > 60_000)
      this.accounts = { at, list: readInteractiveAccounts(this.passwdFile) };
    const [only, ...more] = this.accounts.list;
    return only && more.length === 0 ? only : undefined;
  }

  private accounts: { at: number; list: SocketOwner[] } | undefined;

  private find(flow: FlowEndpoints) {
    const kind = flow.transport === 'tcp' ? 'tcp' : 'udp';
    return (
      this.seen.get(keyOf(kind, flow.srcIp, flow.srcPort, flow.dstIp, flow.dstPort)) ??
      (kind === 'udp'
        ? (this.seen.get(keyOf(kind, flow.srcIp, flow.srcPort, '*', 0)) ??
          this.seen.get(keyOf(kind, '0.0.0.0', flow.srcPort, '*', 0)) ??
          this.seen.get(keyOf(kind, '::', flow.srcPort, '*', 0)))
        : undefined)
    );
  }
}
