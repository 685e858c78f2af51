import {
  closeSync,
  fsync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  write,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const writeAsync = promisify(write);
const fsyncAsync = promisify(fsync);

export interface QueueOptions {
  /** Disk budget for pending events; past it the oldest segments are dropped (and counted). */
  maxBytes?: number;
  /** A segment is closed and a new one started past this size. */
  segmentBytes?: number;
}

export interface QueueStats {
  pending: number;
  pendingBytes: number;
  dropped: number;
}

interface Segment {
  seq: number;
  file: string;
  /** Byte offset of each complete line's end; lines before `acked` are shipped. */
  ends: number[];
  bytes: number;
}

interface AckState {
  seq: number;
  line: number;
  dropped: number;
}

export interface Batch<T> {
  items: T[];
  /** Pass back to `ack` once the server has acknowledged these items. */
  cursor: { seq: number; line: number };
}

const SEGMENT = /^seg-(\d{12})\.jsonl$/;

/**
 * An append-only on-disk journal of JSON lines: an item counts as captured once `append` has
 * fsynced it, and is deleted only after `ack`. A crash mid-write leaves at most a partial last
 * line, which reopening ignores. Resends after a crash are safe because items carry ids the
 * server deduplicates.
 */
export class DurableQueue<T> {
  private segments: Segment[] = [];
  private ackState: AckState = { seq: 0, line: 0, dropped: 0 };
  private fd: number | undefined;
  /** Group commit: lines waiting for the write in flight, and who waits for them. */
  private pendingLines: Buffer[] = [];
  private waiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private writing: Promise<void> | undefined;

  private constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
    private readonly segmentBytes: number,
  ) {}

  static open<T>(dir: string, options: QueueOptions = {}): DurableQueue<T> {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const queue = new DurableQueue<T>(
      dir,
      options.maxBytes ?? 64 * 1024 * 1024,
      options.segmentBytes ?? 1024 * 1024,
    );
    queue.load();
    return queue;
  }

  append(items: readonly T[]): void {
    if (items.length === 0) return;
    if (this.writing)
      throw new Error('DurableQueue: append() while appendAsync() writes; use one or the other');
    let tail = this.segments.at(-1);
    if (!tail || tail.bytes >= this.segmentBytes || this.fd === undefined) tail = this.startSegment();
    const lines = items.map((item) => Buffer.from(`${JSON.stringify(item)}\n`, 'utf8'));
    writeSync(this.fd!, Buffer.concat(lines));
    fsyncSync(this.fd!);
    for (const line of lines) {
      tail.bytes += line.length;
      tail.ends.push(tail.bytes);
    }
    this.enforceBudget();
  }

  /**
   * Like `append`, but the write and fsync run on libuv's thread pool, so the event loop (which
   * must keep reading tcpdump's pipe) never blocks on the disk; appends made while one is in
   * flight are committed together by the next write (group commit). Resolves once fsynced:
   * only then does the item count as captured.
   */
  appendAsync(items: readonly T[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    for (const item of items) this.pendingLines.push(Buffer.from(`${JSON.stringify(item)}\n`, 'utf8'));
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.writing ??= this.writeGroups().finally(() => {
      this.writing = undefined;
    });
    return done;
  }

  /** Resolves when every `appendAsync` so far is on disk (call before `close`). */
  async settle(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async writeGroups(): Promise<void> {
    while (this.pendingLines.length > 0) {
      const lines = this.pendingLines;
      const waiters = this.waiters;
      this.pendingLines = [];
      this.waiters = [];
      try {
        let tail = this.segments.at(-1);
        if (!tail || tail.bytes >= this.segmentBytes || this.fd === undefined) tail = this.startSegment();
        const data = Buffer.concat(lines);
        for (let written = 0; written < data.length; ) {
          const { bytesWritten } = await writeAsync(this.fd!, data, written, data.length - written, null);
          written += bytesWritten;
        }
        await fsyncAsync(this.fd!);
        for (const line of lines) {
          tail.bytes += line.length;
          tail.ends.push(tail.bytes);
        }
        this.enforceBudget();
        for (const w of waiters) w.resolve();
      } catch (error) {
        for (const w of waiters) w.reject(error as Error);
      }
    }
  }

  /** The oldest unacknowledged items, at most `max`, without removing them. */
  peek(max: number): Batch<T> {
    const items: T[] = [];
    let cursor = { seq: this.ackState.seq, line: this.ackState.line };
    for (const segment of this.segments) {
      if (segment.seq < this.ackState.seq) continue;
      const first = segment.seq === this.ackState.seq ? this.ackState.line : 0;
      if (first >= segment.ends.length) continue;
      const start = first === 0 ? 0 : segment.ends[first - 1]!;
      const lines = readRange(segment.file, start, segment.ends.at(-1)!).toString('utf8').split('\n');
      for (let i = 0; i < lines.length - 1 && items.length < max; i++) {
        items.push(JSON.parse(lines[i]!) as T);
        cursor = { seq: segment.seq, line: first + i + 1 };
      }
      if (items.length >= max) break;
    }
    return { items, cursor };
  }

  /** Marks everything up to `cursor` shipped; fully shipped segments are deleted. */
  ack(cursor: Batch<T>['cursor']): void {
    if (
      cursor.seq < this.ackState.seq ||
      (cursor.seq === this.ackState.seq && cursor.line <= this.ackState.line)
    )
      return;
    this.ackState = { ...this.ackState, seq: cursor.seq, line: cursor.line };
    while (this.segments.length > 1) {
      const head = this.segments[0]!;
      const done =
        head.seq < this.ackState.seq ||
        (head.seq === this.ackState.seq && this.ackState.line >= head.ends.length);
      if (!done) break;
      rmSync(head.file, { force: true });
      this.segments.shift();
    }
    this.saveAck();
  }

  stats(): QueueStats {
    let pending = 0;
    let pendingBytes = 0;
    for (const s of this.segments) {
      if (s.seq < this.ackState.seq) continue;
      const first = s.seq === this.ackState.seq ? this.ackState.line : 0;
      pending += Math.max(0, s.ends.length - first);
      pendingBytes += s.bytes - (first === 0 ? 0 : s.ends[first - 1]!);
    }
    return { pending, pendingBytes, dropped: this.ackState.dropped };
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private load(): void {
    try {
      this.ackState = JSON.parse(readFileSync(path.join(this.dir, 'ack.json'), 'utf8')) as AckState;
    } catch {
      this.ackState = { seq: 0, line: 0, dropped: 0 };
    }
    const names = readdirSync(this.dir)
      .filter((n) => SEGMENT.test(n))
      .sort();
    for (const name of names) {
      const file = path.join(this.dir, name);
      const seq = Number(SEGMENT.exec(name)![1]);
      const data = readFileSync(file);
      const ends: number[] = [];
      for (let i = data.indexOf(10); i !== -1; i = data.indexOf(10, i + 1)) ends.push(i + 1);
      this.segments.push({ seq, file, ends, bytes: ends.at(-1) ?? 0 });
    }
    // A torn last line (crash mid-write) is not an item: the tail segment is reopened for append
    // only after truncating it, so the next line starts clean.
    const tail = this.segments.at(-1);
    if (tail && statSync(tail.file).size !== tail.bytes) {
      const kept = readFileSync(tail.file).subarray(0, tail.bytes);
      const tmp = `${tail.file}.tmp`;
      const fd = openSync(tmp, 'w', 0o600);
      writeSync(fd, kept);
      fsyncSync(fd);
      closeSync(fd);
      renameSync(tmp, tail.file);
    }
    if (tail) this.fd = openSync(tail.file, 'a', 0o600);
  }

  private startSegment(): Segment {
    if (this.fd !== undefined) closeSync(this.fd);
    const seq = (this.segments.at(-1)?.seq ?? this.ackState.seq) + 1;
    const file = path.join(this.dir, `seg-${String(seq).padStart(12, '0')}.jsonl`);
    this.fd = openSync(file, 'a', 0o600);
    const segment: Segment = { seq, file, ends: [], bytes: 0 };
    this.segments.push(segment);
    return segment;
  }

  private enforceBudget(): void {
    while (this.segments.length > 1 && this.stats().pendingBytes > this.maxBytes) {
      const head = this.segments.shift()!;
      const first = head.seq === this.ackState.seq ? this.ackState.line : 0;
      const lost = head.seq < this.ackState.seq ? 0 : head.ends.length - first;
      rmSync(head.file, { force: true });
      const next = this.segments[0]!;
      this.ackState = { seq: next.seq, line: 0, dropped: this.ackState.dropped + lost };
      this.saveAck();
    }
  }

  private saveAck(): void {
    const file = path.join(this.dir, 'ack.json');
    const tmp = `${file}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    writeSync(fd, JSON.stringify(this.ackState));
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, file);
  }
}

function readRange(file: string, start: number, end: number): Buffer {
  const buffer = Buffer.alloc(end - start);
  const fd = openSync(file, 'r');
  try {
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, start + read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}
