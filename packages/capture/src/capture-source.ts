import { createReadStream } from 'node:fs';
import type { CaptureEngineOptions, CaptureStats } from './capture-engine.js';
import { createCaptureEngine } from './capture-engine.js';
import type { FlowRecord } from './flow.js';

export interface ReadFlowsOptions extends Omit<CaptureEngineOptions, 'onFlow'> {
  /** Called after each chunk with the number of input bytes parsed so far. */
  onProgress?: (bytesConsumed: number) => void;
  /** Receives the engine's counters once the input is exhausted. */
  onStats?: (stats: CaptureStats) => void;
}

/**
 * Reads a pcap/pcapng byte stream (a file stream, stdin, or `tcpdump -U -w -` stdout) and yields one
 * record per connection as flows finish. Rejects with a CaptureFormatError when the input is not a
 * capture or is corrupt, after yielding the flows seen before the damage.
 */
export async function* readFlows(
  source: AsyncIterable<Uint8Array>,
  opts: ReadFlowsOptions = {},
): AsyncGenerator<FlowRecord> {
  let ready: FlowRecord[] = [];
  const engine = createCaptureEngine({ ...opts, onFlow: (f) => ready.push(f) });
  for await (const chunk of source) {
    engine.push(chunk);
    opts.onProgress?.(engine.bytesConsumed);
    if (ready.length > 0) {
      const batch = ready;
      ready = [];
      yield* batch;
    }
    if (engine.error) break;
  }
  engine.end();
  opts.onStats?.(engine.stats);
  yield* ready;
  if (engine.error) throw engine.error;
}

/** Opens a capture file as a byte stream; `-` means standard input. */
export function openCaptureSource(path: string): AsyncIterable<Uint8Array> {
  if (path === '-') return process.stdin;
  return createReadStream(path, { highWaterMark: 1 << 20 });
}

/** Convenience: every connection in a capture file, after the whole file has been read. */
export async function readCaptureFile(path: string, opts: ReadFlowsOptions = {}): Promise<FlowRecord[]> {
  const out: FlowRecord[] = [];
  for await (const f of readFlows(openCaptureSource(path), opts)) out.push(f);
  return out;
}
