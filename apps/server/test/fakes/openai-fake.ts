import { type FakeServer, type FakeUsage, startFakeServer, totalInput } from './fake-server.js';

export interface OpenAiFakeOptions {
  adminKey: string;
  usage: FakeUsage[];
  /** Caps `limit` so tests see paging with little data. */
  maxBucketsPerPage?: number;
  costs?: Array<{ day: string; value: number; lineItem: string; project: string | null }>;
}

const GROUPS = [
  'project_id',
  'user_id',
  'api_key_id',
  'model',
  'batch',
  'service_tier',
  'line_item',
] as const;

/**
 * OpenAI Admin API fake: `/v1/organization/usage/completions` and `/v1/organization/costs` as in
 * provider-apis.md §1 — `page`/`next_page` cursors, `has_more`, empty buckets, a partial first
 * bucket when start_time is not on a bucket boundary, input_tokens including cached tokens, and
 * `401 invalid_api_key` for a wrong key.
 */
export function startOpenAiFake(options: OpenAiFakeOptions): Promise<FakeServer> {
  return startFakeServer((req) => {
    if (req.headers.authorization !== `Bearer ${options.adminKey}`) {
      return {
        status: 401,
        body: {
          error: {
            message:
              'Incorrect API key provided: sk-admin-****. You can find your API key at https://platform.openai.com/account/api-keys.',
            type: 'invalid_request_error',
            param: null,
            code: 'invalid_api_key',
          },
        },
      };
    }
    const start = Number(req.query.get('start_time'));
    if (!Number.isInteger(start)) {
      return {
        status: 400,
        body: { error: { message: 'start_time is required', type: 'invalid_request_error', code: null } },
      };
    }
    const end = Number(req.query.get('end_time') ?? Math.floor(Date.now() / 1000));
    const width = req.path.endsWith('/costs')
      ? 86_400
      : req.query.get('bucket_width') === '1d'
        ? 86_400
        : 3600;
    const maxLimit = width === 3600 ? 168 : req.path.endsWith('/costs') ? 180 : 31;
    const limit = Math.min(
      Number(req.query.get('limit') ?? (width === 3600 ? 24 : 7)),
      maxLimit,
      options.maxBucketsPerPage ?? Infinity,
    );
    const offset = req.query.get('page')
      ? Number(
          Buffer.from(req.query.get('page') ?? '', 'base64')
            .toString()
            .slice(5),
        )
      : 0;
    // Bucket boundaries: the first runs from start_time to the next boundary (it is partial when
    // start_time is not aligned), the rest are aligned.
    const bounds: number[] = [start];
    for (let b = (Math.floor(start / width) + 1) * width; b < end; b += width) bounds.push(b);
    const pageBounds = bounds.slice(offset, offset + limit);
    const groupBy = req.query.getAll('group_by').filter((g) => (GROUPS as readonly string[]).includes(g));
    const data = pageBounds.map((s) => {
      const e = Math.min(end, (Math.floor(s / width) + 1) * width);
      if (req.path.endsWith('/costs')) {
        const day = new Date(s * 1000).toISOString().slice(0, 10);
        return {
          object: 'bucket',
          start_time: s,
          end_time: e,
          results: (options.costs ?? [])
            .filter((c) => c.day === day)
            .map((c) => ({
              object: 'organization.costs.result',
              amount: { value: c.value, currency: 'usd' },
              line_item: groupBy.includes('line_item') ? c.lineItem : null,
              project_id: groupBy.includes('project_id') ? c.project : null,
              api_key_id: null,
              quantity: null,
              quantity_unit: null,
            })),
        };
      }
      const rows = options.usage.filter((u) => u.hour.getTime() >= s * 1000 && u.hour.getTime() < e * 1000);
      const groups = new Map<string, Record<string, unknown>>();
      for (const u of rows) {
        const dims = {
          project_id: groupBy.includes('project_id') ? (u.project ?? null) : null,
          user_id: null,
          api_key_id: groupBy.includes('api_key_id') ? (u.apiKey ?? null) : null,
          model: groupBy.includes('model') ? u.model : null,
          batch: null,
          service_tier: null,
        };
        const key = JSON.stringify(dims);
        let g = groups.get(key);
        if (!g) {
          g = {
            object: 'organization.usage.completions.result',
            input_tokens: 0,
            input_cached_tokens: 0,
            input_cache_write_tokens: 0,
            input_uncached_tokens: 0,
            output_tokens: 0,
            input_audio_tokens: 0,
            output_audio_tokens: 0,
            num_model_requests: 0,
            ...dims,
          };
          groups.set(key, g);
        }
        const add = (k: string, n: number) => {
          g[k] = (g[k] as number) + n;
        };
        add('input_tokens', totalInput(u));
        add('input_cached_tokens', u.cachedInput ?? 0);
        add('input_cache_write_tokens', (u.cacheWrite5m ?? 0) + (u.cacheWrite1h ?? 0));
        add('input_uncached_tokens', u.input);
        add('output_tokens', u.output);
        add('num_model_requests', u.requests ?? 1);
      }
      return { object: 'bucket', start_time: s, end_time: e, results: [...groups.values()] };
    });
    const more = offset + limit < bounds.length;
    return {
      status: 200,
      body: {
        object: 'page',
        data,
        has_more: more,
        next_page: more ? Buffer.from(`page_${offset + limit}`).toString('base64') : null,
      },
    };
  });
}
