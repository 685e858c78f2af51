import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';

export type ExportRow = Record<string, string | number | null | undefined>;

export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  // Quote per RFC 4180; a leading = + - @ is prefixed so spreadsheets do not run it as a formula.
  const safe = /^[=+\-@\t\r]/.test(text) && typeof value === 'string' ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/**
 * Streams rows to a file as CSV (header + one line per row) or as one JSON array, honouring
 * backpressure: `write` resolves only once the stream can take more, so memory stays flat no
 * matter how many rows pass through.
 */
export class ExportWriter {
  private readonly stream: WriteStream;
  private rows = 0;
  private failure: Error | undefined;

  constructor(
    path: string,
    private readonly format: 'csv' | 'json',
    private readonly columns: readonly string[],
  ) {
    this.stream = createWriteStream(path, { flags: 'wx', mode: 0o600 });
    this.stream.on('error', (error) => {
      this.failure = error;
    });
  }

  get rowCount(): number {
    return this.rows;
  }

  get bytesWritten(): number {
    return this.stream.bytesWritten;
  }

  async write(row: ExportRow): Promise<void> {
    let chunk: string;
    if (this.format === 'csv') {
      chunk = `${this.rows === 0 ? `${this.columns.join(',')}\n` : ''}${this.columns.map((c) => csvCell(row[c])).join(',')}\n`;
    } else {
      const picked: Record<string, unknown> = {};
      for (const c of this.columns) picked[c] = row[c] ?? null;
      chunk = `${this.rows === 0 ? '[\n' : ',\n'}${JSON.stringify(picked)}`;
    }
    this.rows++;
    await this.push(chunk);
  }

  async finish(): Promise<void> {
    if (this.format === 'csv' && this.rows === 0) await this.push(`${this.columns.join(',')}\n`);
    if (this.format === 'json') await this.push(this.rows === 0 ? '[]\n' : '\n]\n');
    this.stream.end();
    await once(this.stream, 'finish');
    if (this.failure) throw this.failure;
  }

  abort(): void {
    this.stream.destroy();
  }

  private async push(chunk: string): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.stream.write(chunk)) {
      await new Promise<void>((resolve, reject) => {
        const settle = (error?: Error) => {
          this.stream.off('drain', settle);
          this.stream.off('error', settle);
          if (error) reject(error);
          else resolve();
        };
        this.stream.on('drain', settle);
        this.stream.on('error', settle);
      });
    }
  }
}
