import { createSign } from 'node:crypto';
import type { VertexCredentials } from '../credentials.js';
import { ProviderError, requestJson } from '../http.js';
import {
  type ClientOptions,
  emptyBucket,
  type ProviderClient,
  type ReconciledBucket,
  toCount,
  type UsageWindow,
} from '../types.js';
import { requestToken, tokenCache } from './oauth.js';

const TOKEN_URL = 'https://oauth2.googleapis.com/token';
const MONITORING = 'https://monitoring.googleapis.com';
const SCOPE = 'https://www.googleapis.com/auth/monitoring.read';
const FILTER =
  'metric.type="aiplatform.googleapis.com/publisher/online_serving/token_count" AND resource.type="aiplatform.googleapis.com/PublisherModel"';

interface ListResponse {
  timeSeries?: Array<{
    metric?: { labels?: Record<string, string> };
    resource?: { labels?: Record<string, string> };
    points?: Array<{
      interval?: { startTime?: string; endTime?: string };
      value?: { int64Value?: string | number };
    }>;
  }>;
  nextPageToken?: string;
  executionErrors?: Array<{ message?: string }>;
}

const b64url = (v: string | Buffer) => Buffer.from(v).toString('base64url');

/** The service-account JWT of Google's server-to-server OAuth flow (RS256). */
export function signServiceAccountJwt(
  sa: VertexCredentials['service_account'],
  audience: string,
  nowS: number,
): string {
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: sa.private_key_id }));
  const claims = b64url(
    JSON.stringify({ iss: sa.client_email, scope: SCOPE, aud: audience, iat: nowS, exp: nowS + 3600 }),
  );
  const signature = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(sa.private_key);
  return `${header}.${claims}.${b64url(signature)}`;
}

/** Vertex AI token counts through Cloud Monitoring `timeSeries.list`, per project. */
export function createVertexClient(
  credentials: VertexCredentials,
  options: ClientOptions = {},
): ProviderClient {
  const base = options.baseUrl?.replace(/\/+$/, '');
  // The key file's token_uri is ignored: credentials must not choose where we send a signed
  // assertion (SSRF). base_url, SSRF-checked, is the one way to redirect it.
  const tokenUrl = base ? `${base}/token` : TOKEN_URL;
  const projects = credentials.project_ids ?? [credentials.service_account.project_id];
  const token = tokenCache(async () => {
    let assertion: string;
    try {
      assertion = signServiceAccountJwt(credentials.service_account, tokenUrl, Math.floor(Date.now() / 1000));
    } catch {
      throw new ProviderError(
        'auth',
        'the service account private_key could not sign (is it the PEM from the key file?)',
      );
    }
    return requestToken(
      'Google OAuth',
      'service account key',
      tokenUrl,
      { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion },
      options.retry,
    );
  });

  async function list(project: string, window: UsageWindow, pageToken?: string): Promise<ListResponse> {
    const params = new URLSearchParams({
      filter: FILTER,
      'interval.startTime': window.start.toISOString(),
      'interval.endTime': window.end.toISOString(),
      'aggregation.alignmentPeriod': '3600s',
      'aggregation.perSeriesAligner': 'ALIGN_SUM',
      'aggregation.crossSeriesReducer': 'REDUCE_SUM',
      view: 'FULL',
      pageSize: '10000',
    });
    params.append('aggregation.groupByFields', 'resource.label.model_user_id');
    params.append('aggregation.groupByFields', 'metric.label.type');
    if (pageToken) params.set('pageToken', pageToken);
    return (await requestJson({
      label: 'Cloud Monitoring',
      credential: 'service account (needs roles/monitoring.viewer)',
      url: `${base ?? MONITORING}/v3/projects/${encodeURIComponent(project)}/timeSeries?${params}`,
      headers: { authorization: `Bearer ${await token()}` },
      retry: options.retry,
    })) as ListResponse;
  }

  async function fetchUsage(window: UsageWindow): Promise<ReconciledBucket[]> {
    const byKey = new Map<string, ReconciledBucket>();
    for (const project of projects) {
      let pageToken: string | undefined;
      for (let pages = 0; ; pages++) {
        if (pages > 10_000) throw new ProviderError('bad_response', 'Cloud Monitoring kept returning pages');
        const page = await list(project, window, pageToken);
        if (page.executionErrors?.length) {
          // Partial results would overwrite complete stored buckets: fail and retry later.
          throw new ProviderError(
            'bad_response',
            `Cloud Monitoring returned partial data: ${page.executionErrors.map((e) => e.message ?? 'error').join('; ')}`,
          );
        }
        for (const series of page.timeSeries ?? []) {
          const type = series.metric?.labels?.type;
          if (type !== 'input' && type !== 'output') continue;
          const model = series.resource?.labels?.model_user_id ?? null;
          for (const point of series.points ?? []) {
            // An aligned DELTA point covers [end − 1h, end]; the interval is closed, so key by start.
            const end = Date.parse(point.interval?.endTime ?? '');
            if (Number.isNaN(end)) continue;
            const startMs = Math.floor((end - 1) / 3_600_000) * 3_600_000;
            if (startMs < window.start.getTime() || startMs >= window.end.getTime()) continue;
            const start = new Date(startMs);
            const key = `${startMs}|${project}|${model}`;
            let b = byKey.get(key);
            if (!b) {
              b = { ...emptyBucket(start), model, projectId: project };
              byKey.set(key, b);
            }
            // int64 arrives as a JSON string (proto3 mapping, §4.5 gotcha 1).
            const n = toCount(point.value?.int64Value);
            if (type === 'input') b.inputTokens += n;
            else b.outputTokens += n;
          }
        }
        if (!page.nextPageToken) break;
        pageToken = page.nextPageToken;
      }
    }
    return [...byKey.values()];
  }

  return {
    provider: 'google-vertex',
    fetchUsage,
    async testConnection() {
      const now = options.now?.() ?? new Date();
      const end = new Date(Math.ceil(now.getTime() / 3_600_000) * 3_600_000);
      for (const project of projects)
        await list(project, { start: new Date(end.getTime() - 3_600_000), end });
    },
  };
}
