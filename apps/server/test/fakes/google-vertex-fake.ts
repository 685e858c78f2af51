import { createVerify, generateKeyPairSync } from 'node:crypto';
import { type FakeServer, type FakeUsage, HOUR, startFakeServer, totalInput } from './fake-server.js';

export interface VertexFakeOptions {
  clientEmail: string;
  /** PEM public key of the service account; the JWT signature is verified against it. */
  publicKey: string;
  /** Usage per project id; `model` = model_user_id. */
  usage: Record<string, FakeUsage[]>;
  /** Caps pageSize (points per page) to force paging. */
  maxPointsPerPage?: number;
  /** Answer with `executionErrors` (a partial failure), as the API may. */
  executionErrors?: boolean;
}

/** A service-account key pair and key file, as Google would issue it. */
export function makeServiceAccount(projectId: string) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const clientEmail = `toktra-reader@${projectId}.iam.gserviceaccount.com`;
  return {
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    clientEmail,
    keyFile: {
      type: 'service_account' as const,
      project_id: projectId,
      private_key_id: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      client_email: clientEmail,
      client_id: '109876543210987654321',
      token_uri: 'https://oauth2.googleapis.com/token',
    },
  };
}

/**
 * Google OAuth token endpoint (JWT bearer flow, RS256 signature checked) + Cloud Monitoring
 * `timeSeries.list` fake (provider-apis.md §4): one series per (model_user_id, type) after
 * REDUCE_SUM, points newest first, `int64Value` as a JSON string, `pageSize` counting points,
 * `nextPageToken` paging, `invalid_grant` for a bad signature.
 */
export function startVertexFake(options: VertexFakeOptions): Promise<FakeServer> {
  const token = `ya29.fake-${Math.random().toString(36).slice(2)}`;
  return startFakeServer((req, base) => {
    if (req.method === 'POST' && req.path === '/token') {
      const form = new URLSearchParams(req.body);
      const [h, c, s] = (form.get('assertion') ?? '').split('.');
      const bad = (d: string) => ({ status: 400, body: { error: 'invalid_grant', error_description: d } });
      if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer' || !h || !c || !s)
        return bad('Invalid grant');
      const ok = createVerify('RSA-SHA256')
        .update(`${h}.${c}`)
        .verify(options.publicKey, Buffer.from(s, 'base64url'));
      if (!ok) return bad('Invalid JWT Signature.');
      const claims = JSON.parse(Buffer.from(c, 'base64url').toString()) as Record<string, unknown>;
      if (claims.iss !== options.clientEmail || claims.aud !== `${base}/token`)
        return bad('Invalid JWT: bad iss or aud');
      return { status: 200, body: { access_token: token, expires_in: 3599, token_type: 'Bearer' } };
    }
    if (req.headers.authorization !== `Bearer ${token}`) {
      return {
        status: 401,
        body: {
          error: {
            code: 401,
            message: 'Request had invalid authentication credentials.',
            status: 'UNAUTHENTICATED',
          },
        },
      };
    }
    const m = /^\/v3\/projects\/([^/]+)\/timeSeries$/.exec(req.path);
    const project = m?.[1] ? decodeURIComponent(m[1]) : undefined;
    if (!project || !(project in options.usage)) {
      return {
        status: 403,
        body: {
          error: {
            code: 403,
            message: `Permission monitoring.timeSeries.list denied on ${project}`,
            status: 'PERMISSION_DENIED',
          },
        },
      };
    }
    const filter = req.query.get('filter') ?? '';
    if (
      !filter.includes('metric.type="aiplatform.googleapis.com/publisher/online_serving/token_count"') ||
      req.query.get('view') !== 'FULL'
    ) {
      return {
        status: 400,
        body: {
          error: {
            code: 400,
            message: 'filter must name one metric type; view required',
            status: 'INVALID_ARGUMENT',
          },
        },
      };
    }
    const from = Date.parse(req.query.get('interval.startTime') ?? '');
    const to = Date.parse(req.query.get('interval.endTime') ?? '');
    const rows = (options.usage[project] ?? []).filter(
      (u) => u.hour.getTime() >= from && u.hour.getTime() + HOUR <= to,
    );
    const series: Array<{ model: string; type: string; points: Array<{ end: number; value: number }> }> = [];
    for (const model of [...new Set(rows.map((u) => u.model))]) {
      for (const type of ['input', 'output']) {
        const byHour = new Map<number, number>();
        for (const u of rows.filter((r) => r.model === model)) {
          byHour.set(
            u.hour.getTime(),
            (byHour.get(u.hour.getTime()) ?? 0) + (type === 'input' ? totalInput(u) : u.output),
          );
        }
        const points = [...byHour.entries()]
          .map(([h, v]) => ({ end: h + HOUR, value: v }))
          .sort((a, b) => b.end - a.end);
        series.push({ model, type, points });
      }
    }
    // Flatten to (series, point) pairs so pageSize counts points, as the real API does.
    const flat = series.flatMap((s, si) => s.points.map((p) => ({ si, p })));
    const pageSize = Math.min(
      Number(req.query.get('pageSize') ?? 100_000),
      options.maxPointsPerPage ?? Infinity,
    );
    const offset = Number(req.query.get('pageToken') || 0);
    const page = flat.slice(offset, offset + pageSize);
    const grouped = new Map<number, typeof page>();
    for (const x of page) grouped.set(x.si, [...(grouped.get(x.si) ?? []), x]);
    return {
      status: 200,
      body: {
        timeSeries: [...grouped.entries()].map(([si, xs]) => ({
          metric: {
            type: 'aiplatform.googleapis.com/publisher/online_serving/token_count',
            labels: { type: series[si]?.type },
          },
          resource: {
            type: 'aiplatform.googleapis.com/PublisherModel',
            labels: { model_user_id: series[si]?.model },
          },
          metricKind: 'DELTA',
          valueType: 'INT64',
          points: xs.map(({ p }) => ({
            interval: {
              startTime: new Date(p.end - HOUR).toISOString(),
              endTime: new Date(p.end).toISOString(),
            },
            value: { int64Value: String(p.value) },
          })),
        })),
        nextPageToken: offset + pageSize < flat.length ? String(offset + pageSize) : '',
        ...(options.executionErrors
          ? { executionErrors: [{ code: 14, message: 'backend us-central1 unavailable' }] }
          : {}),
        unit: '1',
      },
    };
  });
}
