import { stat } from 'node:fs/promises';
import { CaptureFormatError, openCaptureSource, readFlows } from '@toktra/capture';
import type { Catalogue } from '@toktra/core';
import { defaultCatalogue } from '@toktra/core';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { ProgressStream } from '../progress-bar.js';
import { createProgressBar } from '../progress-bar.js';
import { ReplayTable, toReplayRow } from '../replay-output.js';

export interface ReplayOptions {
  files: string[];
  all: boolean;
  format: 'jsonl' | 'table';
}

export interface OutputStream extends ProgressStream {
  write(s: string): unknown;
  once?(event: 'drain', cb: () => void): unknown;
}

export interface ReplayIo {
  stdout: OutputStream;
  stderr: ProgressStream;
  /** What `-` reads; defaults to process.stdin. */
  stdin?: AsyncIterable<Uint8Array>;
  catalogue?: Catalogue;
}

const PROGRESS_MIN_BYTES = 16 << 20;

/** Buffers output lines and honours back-pressure so millions of rows do not pile up in memory. */
function createLineWriter(out: OutputStream) {
  let buf = '';
  return {
    async write(line: string): Promise<void> {
      buf += line;
      if (buf.length < 65_536) return;
      await this.flush();
    },
    async flush(): Promise<void> {
      if (buf.length === 0) return;
      const ok = out.write(buf);
      buf = '';
      if (ok === false && out.once) await new Promise<void>((r) => out.once!('drain', r));
    },
  };
}

function describeError(file: string, err: unknown): string {
  if (err instanceof CaptureFormatError) return `${file}: ${err.message}`;
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return `${file}: no such file`;
  if (e?.code === 'EACCES') return `${file}: permission denied`;
  if (e?.code === 'EISDIR') return `${file}: is a directory, not a capture file`;
  return `${file}: ${e?.message ?? String(err)}`;
}

/**
 * Replays pcap/pcapng files (or `-` for stdin) and prints one row per connection. Returns the exit code
 * (0 ok, 1 some input unreadable) instead of exiting, so tests can run it without a process.
 */
export async function runReplay(opts: ReplayOptions, io: ReplayIo): Promise<number> {
  const catalogue = io.catalogue ?? defaultCatalogue;
  const out = createLineWriter(io.stdout);
  const table = opts.format === 'table' ? new ReplayTable() : null;
  let failed = false;
  for (const file of opts.files) {
    let size = 0;
    try {
      if (file !== '-') {
        const st = await stat(file);
        if (st.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
        size = st.size;
      }
      const source = file === '-' ? (io.stdin ?? process.stdin) : openCaptureSource(file);
      const bar = createProgressBar(io.stderr, file, size >= PROGRESS_MIN_BYTES ? size : 0);
      try {
        for await (const flow of readFlows(source, { onProgress: (n) => bar.update(n) })) {
          const row = toReplayRow(flow, catalogue, opts.all);
          if (!row) continue;
          if (table) table.add(row);
          else await out.write(`${JSON.stringify(row)}\n`);
        }
      } finally {
        bar.finish();
      }
    } catch (err) {
      failed = true;
      await out.flush();
      io.stderr.write(`toktra agent replay: ${describeError(file, err)}\n`);
    }
  }
  if (table) await out.write(table.render());
  await out.flush();
  return failed ? 1 : 0;
}

export function configureReplayCommand(cmd: Command): Command {
  return cmd
    .description('analyse pcap/pcapng captures offline: one row per AI connection (no server needed)')
    .argument('<files...>', 'capture files (pcap or pcapng); - reads standard input')
    .option('--all', 'include non-AI connections (provider, product, category and estimates null)', false)
    .addOption(new Option('--format <format>', 'output format').choices(['jsonl', 'table']).default('jsonl'))
    .action(async (files: string[], options: { all: boolean; format: 'jsonl' | 'table' }) => {
      process.exitCode = await runReplay(
        { files, all: options.all, format: options.format },
        { stdout: process.stdout, stderr: process.stderr },
      );
    });
}
