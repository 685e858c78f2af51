import { type FakeServer, type FakeUsage, startFakeServer } from './fake-server.js';

export interface AnthropicFakeOptions {
  adminKey: string;
  usage: FakeUsage[];
  maxBucketsPerPage?: number;
  costs?: Array<{ day: string; cents: string; description: string; workspace: string | null }>;
}

const GROUPS = ['api_key_id', 'workspace_id', 'model', 'service_tier', 'context_window', 'inference_geo'];

/**
 * Anthropic Admin API fake (provider-apis.md §2): `usage_report/messages` with RFC 3339 bucket
 * bounds, bracket-form `group_by[]`, nested `cache_creation`, no request count, opaque
 * `next_page`; `cost_report` with amounts as cent strings; `401 authentication_error`.
 */
export function startAnthropicFake(options: AnthropicFakeOptions): Promise<FakeServer> {
  return startFakeServer((req) => {
    if (req.headers['x-api-key'] !== options.adminKey) {
      return {
        status: 401,
        body: { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } },
      };
    }
    if (req.headers['anthropic-version'] !== '2023-06-01') {
      return {
        status: 400,
        body: {
          type: 'error',
          error: { type: 'invalid_request_error', message: 'anthropic-version header is required' },
        },
      };
    }
    const startMs = Date.parse(req.query.get('starting_at') ?? '');
    if (Number.isNaN(startMs)) {
      return {
        status: 400,
        body: { type: 'error', error: { type: 'invalid_request_error', message: 'starting_at is required' } },
      };
    }
    const costs = req.path.endsWith('/cost_report');
    const width = costs || req.query.get('bucket_width') !== '1h' ? 86_400_000 : 3_600_000;
    const endMs = Date.parse(req.query.get('ending_at') ?? '') || Date.now();
    const limit = Math.min(
      Number(req.query.get('limit') ?? (width === 3_600_000 ? 24 : 7)),
      options.maxBucketsPerPage ?? Infinity,
    );
    const token = req.query.get('page');
    const offset = token ? Number(Buffer.from(token.slice(5), 'base64url').toString()) : 0;
    // Buckets snap to the start of the hour/day (UTC).
    const bounds: number[] = [];
    for (let b = Math.floor(startMs / width) * width; b < endMs; b += width) bounds.push(b);
    const groupBy = req.query.getAll('group_by[]');
    const data = bounds.slice(offset, offset + limit).map((s) => {
      const e = s + width;
      const bucket = {
        starting_at: new Date(s).toISOString().replace('.000Z', 'Z'),
        ending_at: new Date(e).toISOString().replace('.000Z', 'Z'),
      };
      if (costs) {
        const day = bucket.starting_at.slice(0, 10);
        return {
          ...bucket,
          results: (options.costs ?? [])
            .filter((c) => c.day === day)
            .map((c) => ({
              amount: c.cents,
              currency: 'USD',
              cost_type: 'tokens',
              description: groupBy.includes('description') ? c.description : null,
              workspace_id: groupBy.includes('workspace_id') ? c.workspace : null,
            })),
        };
      }
      const groups = new Map<string, Record<string, unknown>>();
      for (const u of options.usage.filter((x) => x.hour.getTime() >= s && x.hour.getTime() < e)) {
        const dims: Record<string, string | null> = {};
        for (const g of GROUPS) dims[g] = null;
        if (groupBy.includes('model')) dims.model = u.model;
        if (groupBy.includes('workspace_id')) dims.workspace_id = u.workspace ?? null;
        if (groupBy.includes('api_key_id')) dims.api_key_id = u.apiKey ?? null;
        const key = JSON.stringify(dims);
        let r = groups.get(key) as
          | {
              uncached_input_tokens: number;
              cache_read_input_tokens: number;
              output_tokens: number;
              cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
            }
          | undefined;
        if (!r) {
          r = {
            uncached_input_tokens: 0,
            cache_read_input_tokens: 0,
            cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
            output_tokens: 0,
            ...{ server_tool_use: { web_search_requests: 0 } },
            ...dims,
          };
          groups.set(key, r as unknown as Record<string, unknown>);
        }
        r.uncached_input_tokens += u.input;
        r.cache_read_input_tokens += u.cachedInput ?? 0;
        r.cache_creation.ephemeral_5m_input_tokens += u.cacheWrite5m ?? 0;
        r.cache_creation.ephemeral_1h_input_tokens += u.cacheWrite1h ?? 0;
        r.output_tokens += u.output;
      }
      return { ...bucket, results: [...groups.values()] };
    });
    const more = offset + limit < bounds.length;
    return {
      status: 200,
      body: {
        data,
        has_more: more,
        next_page: more ? `page_${Buffer.from(String(offset + limit)).toString('base64url')}` : null,
      },
    };
  });
}
