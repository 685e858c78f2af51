import { readFileSync } from 'node:fs';
import https from 'node:https';
import { gzipSync } from 'node:zlib';
import type { Enrollment } from '../identity/enrollment.js';
import type { StatePaths } from '../state-dir.js';

export interface IngestResponse {
  status: number;
  body: Record<string, unknown>;
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * The agent's mutual-TLS client. It presents the device certificate with its org CA and trusts
 * only the Toktra root from enrollment — never the system's CA store.
 */
export class IngestClient {
  private readonly agent: https.Agent;
  private readonly base: URL;

  constructor(paths: StatePaths, enrollment: Enrollment) {
    const chain = readFileSync(paths.caChain, 'utf8').match(PEM_BLOCK) ?? [];
    const root = chain.at(-1);
    if (!root) throw new Error(`no CA certificate in ${paths.caChain}; enroll again`);
    this.agent = new https.Agent({
      key: readFileSync(paths.key),
      cert: [readFileSync(paths.certificate, 'utf8').trim(), ...chain.slice(0, -1)].join('\n'),
      ca: root,
      keepAlive: true,
      maxSockets: 2,
    });
    this.base = new URL(enrollment.ingest_url);
  }

  /** POSTs JSON (gzip) and resolves with the status and parsed body; rejects on network errors. */
  post(pathname: string, payload: unknown, timeoutMs = 15_000): Promise<IngestResponse> {
    return this.request('POST', pathname, gzipSync(JSON.stringify(payload)), timeoutMs);
  }

  /** GETs JSON (e.g. the portal Privacy Hours this device enforces). */
  get(pathname: string, timeoutMs = 15_000): Promise<IngestResponse> {
    return this.request('GET', pathname, undefined, timeoutMs);
  }

  private request(
    method: 'GET' | 'POST',
    pathname: string,
    body: Buffer | undefined,
    timeoutMs: number,
  ): Promise<IngestResponse> {
    return new Promise((resolve, reject) => {
      const request = https.request(
        new URL(pathname, this.base),
        {
          method,
          agent: this.agent,
          headers: body
            ? {
                'content-type': 'application/json',
                'content-encoding': 'gzip',
                'content-length': body.length,
              }
            : {},
          timeout: timeoutMs,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (c: Buffer) => chunks.push(c));
          response.on('end', () => {
            let parsed: Record<string, unknown> = {};
            try {
              parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            } catch {
              // a proxy's HTML error page, say: the status says enough
            }
            resolve({ status: response.statusCode ?? 0, body: parsed });
          });
          response.on('error', reject);
        },
      );
      request.on('timeout', () =>
        request.destroy(new Error(`no answer from ${this.base.origin} within ${timeoutMs} ms`)),
      );
      request.on('error', reject);
      request.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
