import { formatBytes } from './replay-output.js';

export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** A one-line progress bar on a TTY stream, redrawn at most every 100 ms; a no-op elsewhere. */
export function createProgressBar(stream: ProgressStream, label: string, total: number) {
  const enabled = stream.isTTY === true && total > 0;
  let last = 0;
  const started = Date.now();
  return {
    update(done: number): void {
      const now = Date.now();
      if (!enabled || now - last < 100) return;
      last = now;
      const width = 30;
      const frac = Math.min(1, done / total);
      const filled = Math.round(frac * width);
      const rate = done / Math.max(0.001, (now - started) / 1000);
      const text = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0)}% ${formatBytes(done)}/${formatBytes(total)} ${formatBytes(rate)}/s`;
      stream.write(`\r${text.slice(0, (stream.columns ?? 100) - 1)}`);
    },
    finish(): void {
      if (enabled && last > 0) stream.write('\r\x1b[K');
    },
  };
}
