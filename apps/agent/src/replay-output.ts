import type { FlowRecord } from '@toktra/capture';
import type { Catalogue } from '@toktra/core';
import { estimateTokens } from '@toktra/core';

/** One line of `toktra agent replay --format jsonl` (DESIGN.md §5 contract). */
export interface ReplayRow {
  sni: string | null;
  provider: string | null;
  product: string | null;
  category: string | null;
  transport: 'tcp' | 'quic';
  src_ip: string;
  src_port: number;
  dst_ip: string;
  dst_port: number;
  started_at: string;
  ended_at: string;
  bytes_up: number;
  bytes_down: number;
  packets_up: number;
  packets_down: number;
  /** null for non-AI hosts (only with --all): no estimator applies, and 0 would read as "measured zero". */
  est_input_tokens: number | null;
  est_output_tokens: number | null;
}

/** Classifies and estimates one connection; returns null when it is not AI traffic and `all` is off. */
export function toReplayRow(f: FlowRecord, catalogue: Catalogue, all: boolean): ReplayRow | null {
  const cls = f.sni ? catalogue.classify(f.sni) : null;
  if (!cls && !all) return null;
  const est = cls
    ? estimateTokens({
        provider: cls.provider,
        product: cls.product,
        category: cls.category,
        transport: f.transport,
        bytesUp: f.bytesUp,
        bytesDown: f.bytesDown,
      })
    : null;
  return {
    sni: f.sni,
    provider: cls?.provider ?? null,
    product: cls?.product ?? null,
    category: cls?.category ?? null,
    transport: f.transport,
    src_ip: f.srcIp,
    src_port: f.srcPort,
    dst_ip: f.dstIp,
    dst_port: f.dstPort,
    started_at: isoTime(f.startedAt),
    ended_at: isoTime(f.endedAt),
    bytes_up: f.bytesUp,
    bytes_down: f.bytesDown,
    packets_up: f.packetsUp,
    packets_down: f.packetsDown,
    est_input_tokens: est ? est.inputTokens : null,
    est_output_tokens: est ? est.outputTokens : null,
  };
}

function isoTime(ms: number): string {
  const d = new Date(Math.floor(ms));
  return Number.isNaN(d.getTime()) ? new Date(0).toISOString() : d.toISOString();
}

interface HostTotals {
  provider: string;
  host: string;
  connections: number;
  bytesUp: number;
  bytesDown: number;
  inputTokens: number;
  outputTokens: number;
}

/** Aggregates rows per provider and host for `--format table`. */
export class ReplayTable {
  private readonly hosts = new Map<string, HostTotals>();

  add(row: ReplayRow): void {
    const provider = row.provider ?? '-';
    const host = row.sni ?? '(no SNI)';
    const key = `${provider}\u0000${host}`;
    let t = this.hosts.get(key);
    if (!t) {
      t = { provider, host, connections: 0, bytesUp: 0, bytesDown: 0, inputTokens: 0, outputTokens: 0 };
      this.hosts.set(key, t);
    }
    t.connections++;
    t.bytesUp += row.bytes_up;
    t.bytesDown += row.bytes_down;
    t.inputTokens += row.est_input_tokens ?? 0;
    t.outputTokens += row.est_output_tokens ?? 0;
  }

  render(): string {
    const rows = [...this.hosts.values()].sort(
      (a, b) => a.provider.localeCompare(b.provider) || b.bytesDown - a.bytesDown,
    );
    const total: HostTotals = {
      provider: 'TOTAL',
      host: '',
      connections: 0,
      bytesUp: 0,
      bytesDown: 0,
      inputTokens: 0,
      outputTokens: 0,
    };
    for (const r of rows) {
      total.connections += r.connections;
      total.bytesUp += r.bytesUp;
      total.bytesDown += r.bytesDown;
      total.inputTokens += r.inputTokens;
      total.outputTokens += r.outputTokens;
    }
    const head = ['PROVIDER', 'HOST', 'CONNS', 'BYTES UP', 'BYTES DOWN', 'EST IN TOK', 'EST OUT TOK'];
    const cells = [...rows, total].map((r) => [
      r.provider,
      r.host,
      String(r.connections),
      formatBytes(r.bytesUp),
      formatBytes(r.bytesDown),
      r.inputTokens.toLocaleString('en-US'),
      r.outputTokens.toLocaleString('en-US'),
    ]);
    const all = [head, ...cells];
    const widths = head.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
    const line = (r: string[]) =>
      r
        .map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
        .join('  ')
        .trimEnd();
    const sep = widths.map((w) => '-'.repeat(w)).join('  ');
    return `${[line(head), sep, ...cells.slice(0, -1).map(line), sep, line(cells.at(-1)!)].join('\n')}\n`;
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}
