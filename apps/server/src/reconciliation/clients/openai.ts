import type { OpenAiCredentials } from '../credentials.js';
import { fetchAllPages, type ReportPage, requestJson } from '../http.js';
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

const DEFAULT_BASE = 'https://api.openai.com';
/** `1h` buckets: at most 168 per page (provider-apis.md §1.2). */
const HOURS_PER_PAGE = 168;
/** One fixed group_by set, so stored keys never collide (§1.8 gotcha 4). */
const GROUP_BY = ['project_id', 'model', 'api_key_id'];

type Bucket = { start_time?: number; results?: Array<Record<string, unknown>> };

const unix = (d: Date) => Math.floor(d.getTime() / 1000);
const hourFloor = (seconds: number) => new Date(Math.floor(seconds / 3600) * 3_600_000);

/** OpenAI Admin API: `/v1/organization/usage/completions` and `/v1/organization/costs`. */
export function createOpenAiClient(
  credentials: OpenAiCredentials,
  options: ClientOptions = {},
): ProviderClient & {
  fetchCosts(window: UsageWindow): Promise<CostLine[]>;
} {
  const base = (options.baseUrl ?? DEFAULT_BASE).replace(/\/+$/, '');
  const get = (path: string, params: URLSearchParams) =>
    requestJson({
      label: 'OpenAI',
      credential: 'admin key',
      url: `${base}${path}?${params}`,
      headers: { authorization: `Bearer ${credentials.admin_key}` },
      retry: options.retry,
    }) as Promise<ReportPage<Bucket>>;

  const allPages = (path: string, params: URLSearchParams) =>
    fetchAllPages('OpenAI', (p) => get(path, p), params);

  async function fetchUsage(window: UsageWindow): Promise<ReconciledBucket[]> {
    const params = new URLSearchParams({
      start_time: String(unix(window.start)),
      end_time: String(unix(window.end)),
      bucket_width: '1h',
      limit: String(HOURS_PER_PAGE),
    });
    // Repeated keys (`group_by=a&group_by=b`), the form the official material shows.
    for (const g of GROUP_BY) params.append('group_by', g);
    const out: ReconciledBucket[] = [];
    for (const bucket of await allPages('/v1/organization/usage/completions', params)) {
      // A first bucket can start mid-hour when start_time is not aligned; we always align, and
      // flooring keeps any such bucket on the hour it belongs to.
      const start = hourFloor(toCount(bucket.start_time));
      for (const r of bucket.results ?? []) {
        out.push({
          ...emptyBucket(start),
          model: strOrNull(r.model),
          projectId: strOrNull(r.project_id),
          apiKeyId: strOrNull(r.api_key_id),
          // input_tokens already includes cached reads and cache writes (§1.8 gotcha 1).
          inputTokens: toCount(r.input_tokens),
          cachedInputTokens: toCount(r.input_cached_tokens),
          cacheWriteTokens: toCount(r.input_cache_write_tokens),
          outputTokens: toCount(r.output_tokens),
          requests: toCount(r.num_model_requests),
        });
      }
    }
    return out;
  }

  async function fetchCosts(window: UsageWindow): Promise<CostLine[]> {
    const params = new URLSearchParams({
      start_time: String(unix(window.start)),
      end_time: String(unix(window.end)),
      bucket_width: '1d',
      limit: '180',
    });
    params.append('group_by', 'project_id');
    params.append('group_by', 'line_item');
    const out: CostLine[] = [];
    for (const bucket of await allPages('/v1/organization/costs', params)) {
      const day = new Date(toCount(bucket.start_time) * 1000).toISOString().slice(0, 10);
      for (const r of bucket.results ?? []) {
        const amount = r.amount as { value?: unknown } | undefined;
        // Dollars as a JSON number (Anthropic uses cents in a string).
        const value = typeof amount?.value === 'number' ? amount.value : Number(amount?.value ?? 0);
        out.push({
          day,
          amountUsd: Number.isFinite(value) ? value : 0,
          description: strOrNull(r.line_item),
          projectId: strOrNull(r.project_id),
          workspaceId: null,
        });
      }
    }
    return out;
  }

  return {
    provider: 'openai',
    fetchUsage,
    fetchCosts,
    async testConnection() {
      const now = options.now?.() ?? new Date();
      const end = new Date(Math.ceil(now.getTime() / 3_600_000) * 3_600_000);
      const params = new URLSearchParams({
        start_time: String(unix(end) - 3600),
        end_time: String(unix(end)),
        bucket_width: '1h',
        limit: '1',
      });
      await get('/v1/organization/usage/completions', params);
    },
  };
}
