import { type FakeServer, type FakeUsage, HOUR, startFakeServer, totalInput } from './fake-server.js';

export interface AzureFakeOptions {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Usage per account name (the last segment of the resource id); `model` = deployment name. */
  usage: Record<string, FakeUsage[]>;
}

const METRICS = ['ProcessedPromptTokens', 'GeneratedTokens', 'TokenTransaction', 'AzureOpenAIRequests'];

/**
 * Entra ID token endpoint + Azure Monitor metrics fake (provider-apis.md §3): client-credentials
 * tokens, `timespan`/`interval=PT1H`, one series per deployment with `$filter ModelDeploymentName
 * eq '*'`, `top` defaulting to 10 (series beyond it silently dropped), points without `total`
 * for hours without data, no paging; `invalid_client` for a wrong secret.
 */
export function startAzureOpenAiFake(options: AzureFakeOptions): Promise<FakeServer> {
  const token = `eyJ-fake-arm-token-${Math.random().toString(36).slice(2)}`;
  return startFakeServer((req) => {
    if (req.method === 'POST' && req.path === `/${options.tenantId}/oauth2/v2.0/token`) {
      const form = new URLSearchParams(req.body);
      if (
        form.get('grant_type') !== 'client_credentials' ||
        form.get('scope') !== 'https://management.azure.com/.default'
      ) {
        return {
          status: 400,
          body: { error: 'invalid_request', error_description: 'AADSTS900144: bad request' },
        };
      }
      if (form.get('client_id') !== options.clientId || form.get('client_secret') !== options.clientSecret) {
        return {
          status: 401,
          body: {
            error: 'invalid_client',
            error_description: 'AADSTS7000215: Invalid client secret provided.',
          },
        };
      }
      return { status: 200, body: { token_type: 'Bearer', expires_in: 3599, access_token: token } };
    }
    if (req.method === 'POST') {
      return {
        status: 400,
        body: { error: 'invalid_tenant', error_description: 'AADSTS90002: Tenant not found.' },
      };
    }
    if (req.headers.authorization !== `Bearer ${token}`) {
      return {
        status: 401,
        body: { error: { code: 'InvalidAuthenticationToken', message: 'The access token is invalid.' } },
      };
    }
    const match =
      /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.CognitiveServices\/accounts\/([^/]+))\/providers\/Microsoft\.Insights\/metrics$/.exec(
        req.path,
      );
    const account = match?.[2];
    if (!match || !account || !(account in options.usage)) {
      return {
        status: 404,
        body: { error: { code: 'ResourceNotFound', message: `resource ${req.path} not found` } },
      };
    }
    const [from, to] = (req.query.get('timespan') ?? '').split('/').map((t) => Date.parse(t));
    if (!from || !to || req.query.get('interval') !== 'PT1H' || req.query.get('aggregation') !== 'Total') {
      return {
        status: 400,
        body: {
          error: { code: 'BadRequest', message: 'timespan, interval=PT1H and aggregation=Total expected' },
        },
      };
    }
    const split = req.query.get('$filter') === "ModelDeploymentName eq '*'";
    const top = split ? Number(req.query.get('top') ?? 10) : Infinity;
    const rows = (options.usage[account] ?? []).filter(
      (u) => u.hour.getTime() >= from && u.hour.getTime() < to,
    );
    const names = (req.query.get('metricnames') ?? '').split(',').filter((n) => METRICS.includes(n));
    const metricValue = (name: string, u: FakeUsage) =>
      name === 'ProcessedPromptTokens'
        ? totalInput(u)
        : name === 'GeneratedTokens'
          ? u.output
          : name === 'TokenTransaction'
            ? totalInput(u) + u.output
            : (u.requests ?? 1);
    const value = names.map((name) => {
      const deployments = split ? [...new Set(rows.map((u) => u.model))] : [null];
      const series = deployments.map((d) => {
        const mine = rows.filter((u) => d === null || u.model === d);
        const data: Array<{ timeStamp: string; total?: number }> = [];
        for (let h = from; h < to; h += HOUR) {
          const at = mine.filter((u) => u.hour.getTime() === h);
          // Hours without data come back with a timestamp and no total.
          data.push(
            at.length
              ? {
                  timeStamp: new Date(h).toISOString(),
                  total: at.reduce((s, u) => s + metricValue(name, u), 0),
                }
              : { timeStamp: new Date(h).toISOString() },
          );
        }
        const total = data.reduce((s, p) => s + (p.total ?? 0), 0);
        return {
          total,
          entry: {
            metadatavalues:
              d === null
                ? []
                : [
                    {
                      name: { value: 'modeldeploymentname', localizedValue: 'modeldeploymentname' },
                      value: d,
                    },
                  ],
            data,
          },
        };
      });
      series.sort((a, b) => b.total - a.total);
      return {
        id: `${match[1]}/providers/Microsoft.Insights/metrics/${name}`,
        type: 'Microsoft.Insights/metrics',
        name: { value: name, localizedValue: name },
        unit: 'Count',
        errorCode: 'Success',
        timeseries: series.slice(0, top).map((s) => s.entry),
      };
    });
    return {
      status: 200,
      body: {
        cost: 0,
        timespan: req.query.get('timespan'),
        interval: 'PT1H',
        namespace: 'Microsoft.CognitiveServices/accounts',
        resourceregion: 'eastus2',
        value,
      },
    };
  });
}
