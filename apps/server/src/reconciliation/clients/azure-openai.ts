import type { AzureCredentials } from '../credentials.js';
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

const LOGIN = 'https://login.microsoftonline.com';
const ARM = 'https://management.azure.com';
/** Input, output, requests. Never TokenTransaction: it is already their sum (§3.7 gotcha 2). */
const METRICS = {
  ProcessedPromptTokens: 'input',
  GeneratedTokens: 'output',
  AzureOpenAIRequests: 'requests',
} as const;
/** The metrics API has no paging: long ranges are split into 7-day requests (§3.7 gotcha 4). */
const CHUNK_MS = 7 * 86_400_000;
/** `top` defaults to 10 series; without it deployments beyond the tenth vanish (§3.7 gotcha 3). */
const TOP = '1000';

interface MetricsResponse {
  value?: Array<{
    name?: { value?: string };
    errorCode?: string;
    timeseries?: Array<{
      metadatavalues?: Array<{ name?: { value?: string }; value?: string }>;
      data?: Array<{ timeStamp?: string; total?: number }>;
    }>;
  }>;
}

/** Azure OpenAI through Azure Monitor metrics, one Cognitive Services account at a time. */
export function createAzureOpenAiClient(
  credentials: AzureCredentials,
  options: ClientOptions = {},
): ProviderClient {
  const base = options.baseUrl?.replace(/\/+$/, '');
  const token = tokenCache(() =>
    requestToken(
      'Microsoft Entra ID',
      'client credentials',
      `${base ?? LOGIN}/${encodeURIComponent(credentials.tenant_id)}/oauth2/v2.0/token`,
      {
        grant_type: 'client_credentials',
        client_id: credentials.client_id,
        client_secret: credentials.client_secret,
        scope: 'https://management.azure.com/.default',
      },
      options.retry,
    ),
  );

  async function getMetrics(resourceId: string, start: Date, end: Date): Promise<MetricsResponse> {
    const params = new URLSearchParams({
      'api-version': '2024-02-01',
      metricnamespace: 'Microsoft.CognitiveServices/accounts',
      metricnames: Object.keys(METRICS).join(','),
      timespan: `${start.toISOString()}/${end.toISOString()}`,
      interval: 'PT1H',
      aggregation: 'Total',
      $filter: "ModelDeploymentName eq '*'",
      top: TOP,
    });
    return (await requestJson({
      label: 'Azure Monitor',
      credential: 'service principal (needs Monitoring Reader on the account)',
      url: `${base ?? ARM}${resourceId}/providers/Microsoft.Insights/metrics?${params}`,
      headers: { authorization: `Bearer ${await token()}` },
      retry: options.retry,
    })) as MetricsResponse;
  }

  async function fetchUsage(window: UsageWindow): Promise<ReconciledBucket[]> {
    const byKey = new Map<string, ReconciledBucket>();
    for (const resourceId of credentials.resource_ids) {
      const account = resourceId.split('/').pop() ?? resourceId;
      for (let from = window.start.getTime(); from < window.end.getTime(); from += CHUNK_MS) {
        const to = Math.min(window.end.getTime(), from + CHUNK_MS);
        const response = await getMetrics(resourceId, new Date(from), new Date(to));
        for (const metric of response.value ?? []) {
          const field = METRICS[metric.name?.value as keyof typeof METRICS];
          if (!field) continue;
          if (metric.errorCode && metric.errorCode !== 'Success') {
            throw new ProviderError(
              'bad_response',
              `Azure Monitor could not read ${metric.name?.value}: ${metric.errorCode}`,
            );
          }
          for (const series of metric.timeseries ?? []) {
            const deployment =
              series.metadatavalues?.find((m) => m.name?.value?.toLowerCase() === 'modeldeploymentname')
                ?.value ?? null;
            for (const point of series.data ?? []) {
              const at = Date.parse(point.timeStamp ?? '');
              if (Number.isNaN(at) || at < window.start.getTime() || at >= window.end.getTime()) continue;
              const start = new Date(Math.floor(at / 3_600_000) * 3_600_000);
              const key = `${start.toISOString()}|${account}|${deployment}`;
              let b = byKey.get(key);
              if (!b) {
                b = { ...emptyBucket(start), model: deployment, projectId: account, requests: 0 };
                byKey.set(key, b);
              }
              // A point without `total` means no data: 0 (§3.7 gotcha 5).
              const n = toCount(point.total);
              if (field === 'input') b.inputTokens += n;
              else if (field === 'output') b.outputTokens += n;
              else b.requests = (b.requests ?? 0) + n;
            }
          }
        }
      }
    }
    return [...byKey.values()];
  }

  return {
    provider: 'azure-openai',
    fetchUsage,
    async testConnection() {
      const now = options.now?.() ?? new Date();
      const end = new Date(Math.ceil(now.getTime() / 3_600_000) * 3_600_000);
      for (const resourceId of credentials.resource_ids) {
        await getMetrics(resourceId, new Date(end.getTime() - 3_600_000), end);
      }
    },
  };
}
