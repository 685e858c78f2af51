import type { ExchangeSink } from './exchange-tracker.js';
import type { Flow } from './flow.js';
import type { FlowTable } from './flow-table.js';
import type { CaptureStats } from './packet-info.js';
import type { ReassemblyBuffer } from './reassembly-buffer.js';

/** What the TCP and QUIC trackers need from the engine; keeps them free of a circular import. */
export interface TrackerContext extends ExchangeSink {
  readonly table: FlowTable;
  readonly stats: CaptureStats;
  readonly maxHandshakeBytes: number;
  /** Allocates a reassembly buffer for `f` within the global budget, or null (flow gives up). */
  acquireBuffer(f: Flow): ReassemblyBuffer | null;
  /** Accounts for a buffer that grew by `delta` bytes. */
  growBuffer(delta: number): void;
  releaseBuffer(f: Flow): void;
  /** Emits and removes the flow (a new connection reuses its 5-tuple). */
  finishFlow(f: Flow): void;
  /** A closed TCP flow is emitted at once instead of lingering (live capture: nothing waits in memory). */
  readonly emitOnClose: boolean;
  /** Server → client TCP bytes also advance with the client's ACKs (the server's data is filtered). */
  readonly countDownFromAcks: boolean;
  /** A client opened a connection (SYN, or a QUIC Initial on a new 4-tuple). */
  connectionStarted(f: Flow): void;
  /** Called once when a flow's ClientHello has been parsed. */
  handshakeDone(f: Flow): void;
}
