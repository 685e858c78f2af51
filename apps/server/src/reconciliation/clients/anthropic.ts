import type { AnthropicCredentials } from '../credentials.js';
import { fetchAllPages, ProviderError, type ReportPage, requestJson } from '../http.js';
import {
  type ClientOptions,
  type CostLine,
  emptyBucket,
  type ProviderClient,
  type ReconciledBucket,
  strOrNull,
  toCount,
  type UsageWindow,
} from '../types.js';

const DEFAULT_BASE = 'https://api.anthropic.com';
const HOURS_PER_PAGE = 168;
const GROUP_BY = ['model', 'workspace_id', 'api_key_id'];

type Bucket = { starting_at?: string; results?: Array<Record<string, unknown>> };

const hourFloor = (iso: string | undefined) => {
  const ms = Date.parse(iso ?? '');
  if (Number.isNaN(ms))
    throw new ProviderError('bad_response', `Anthropic sent a bucket without a valid starting_at`);
  return new Date(Math.floor(ms / 3_600_000) * 3_600_000);
};

/** Anthropic Admin API: `usage_report/messages` and `cost_report`. */
export function createAnthropicClient(
  credentials: AnthropicCredentials,
  options: ClientOptions = {},
): ProviderClient & {
  fetchCosts(window: UsageWindow): Promise<CostLine[]>;
} {
  const base = (options.baseUrl ?? DEFAULT_BASE).replace(/\/+$/, '');
  const get = (path: string, params: URLSearchParams) =>
    requestJson({
      label: 'Anthropic',
      credential: 'admin key',
      url: `${base}${path}?${params}`,
      headers: { 'x-api-key': credentials.admin_key, 'anthropic-version': '2023-06-01' },
      retry: options.retry,
    }) as Promise<ReportPage<Bucket>>;

  const allPages = (path: string, params: URLSearchParams) =>
    fetchAllPages('Anthropic', (p) => get(path, p), params);

  async function fetchUsage(window: UsageWindow): Promise<ReconciledBucket[]> {
    const params = new URLSearchParams({
      starting_at: window.start.toISOString(),
      ending_at: window.end.toISOString(),
      bucket_width: '1h',
      limit: String(HOURS_PER_PAGE),
    });
    // Bracket form for arrays (§2.2).
    for (const g of GROUP_BY) params.append('group_by[]', g);
    const out: ReconciledBucket[] = [];
    for (const bucket of await allPages('/v1/organizations/usage_report/messages', params)) {
      const start = hourFloor(bucket.starting_at);
      for (const r of bucket.results ?? []) {
        // Cache creation is a nested object keyed by TTL; there is no flat field (§2.6 gotcha 2).
        const creation = (r.cache_creation ?? {}) as Record<string, unknown>;
        const cacheWrite =
          toCount(creation.ephemeral_5m_input_tokens) + toCount(creation.ephemeral_1h_input_tokens);
        const cacheRead = toCount(r.cache_read_input_tokens);
        out.push({
          ...emptyBucket(start),
          model: strOrNull(r.model),
          // The default workspace reports null (§2.6 gotcha 6).
          workspaceId: strOrNull(r.workspace_id),
          apiKeyId: strOrNull(r.api_key_id),
          inputTokens: toCount(r.uncached_input_tokens) + cacheRead + cacheWrite,
          cachedInputTokens: cacheRead,
          cacheWriteTokens: cacheWrite,
          outputTokens: toCount(r.output_tokens),
          // The messages report has no request count (§2.6 gotcha 1).
          requests: null,
        });
      }
    }
    return out;
  }

  async function fetchCosts(window: UsageWindow): Promise<CostLine[]> {
    const params = new URLSearchParams({
      starting_at: window.start.toISOString(),
      ending_at: window.end.toISOString(),
      bucket_width: '1d',
      limit: '31',
    });
    params.append('group_by[]', 'workspace_id');
    params.append('group_by[]', 'description');
    const out: CostLine[] = [];
    for (const bucket of await allPages('/v1/organizations/cost_report', params)) {
      const day = (bucket.starting_at ?? '').slice(0, 10);
      for (const r of bucket.results ?? []) {
        // A decimal string in cents (§2.6 gotcha 4).
        const cents = Number(r.amount);
        out.push({
          day,
          amountUsd: Number.isFinite(cents) ? cents / 100 : 0,
          description: strOrNull(r.description),
          projectId: null,
          workspaceId: strOrNull(r.workspace_id),
        });
      }
    }
    return out;
  }

  return {
    provider: 'anthropic',
    fetchUsage,
    fetchCosts,
    async testConnection() {
      const now = options.now?.() ?? new Date();
      const end = new Date(Math.ceil(now.getTime() / 3_600_000) * 3_600_000);
      const params = new URLSearchParams({
        starting_at: new Date(end.getTime() - 3_600_000).toISOString(),
        ending_at: end.toISOString(),
        bucket_width: '1h',
        limit: '1',
      });
      await get('/v1/organizations/usage_report/messages', params);
    },
  };
}
