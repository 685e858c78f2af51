import type { ConnectionProvider } from '@toktra/db';
import type { RetryPolicy } from './http.js';

/** One provider-reported bucket, normalised across providers (see provider-apis.md §5). */
export interface ReconciledBucket {
  bucketStart: Date;
  bucketWidth: '1h' | '1d';
  model: string | null;
  projectId: string | null;
  workspaceId: string | null;
  apiKeyId: string | null;
  /** ALL input: uncached + cached reads + cache writes. */
  inputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  outputTokens: number;
  requests: number | null;
}

/** Hour-aligned, `start` inclusive, `end` exclusive. */
export interface UsageWindow {
  start: Date;
  end: Date;
}

/** A daily cost line (OpenAI `/organization/costs`, Anthropic `cost_report`), in US dollars. */
export interface CostLine {
  day: string;
  amountUsd: number;
  description: string | null;
  projectId: string | null;
  workspaceId: string | null;
}

export interface ProviderClient {
  readonly provider: ConnectionProvider;
  /** Every hourly bucket in the window, all pages, quirks normalised. */
  fetchUsage(window: UsageWindow): Promise<ReconciledBucket[]>;
  /** A cheap authenticated call; throws a ProviderError saying what the provider answered. */
  testConnection(): Promise<void>;
}

export interface ClientOptions {
  /** Replaces the provider's public hosts (proxies, tests); already SSRF-checked. */
  baseUrl?: string;
  retry?: RetryPolicy;
  now?: () => Date;
}

export function emptyBucket(bucketStart: Date): ReconciledBucket {
  return {
    bucketStart,
    bucketWidth: '1h',
    model: null,
    projectId: null,
    workspaceId: null,
    apiKeyId: null,
    inputTokens: 0,
    cachedInputTokens: 0,
    cacheWriteTokens: 0,
    outputTokens: 0,
    requests: null,
  };
}

/** Tolerant integer: numbers, numeric strings (Vertex int64), anything else is 0. */
export function toCount(value: unknown): number {
  const n = typeof value === 'string' ? Number(value) : typeof value === 'number' ? value : 0;
  return Number.isFinite(n) && n > 0 ? Math.round(n) : 0;
}

export function strOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
