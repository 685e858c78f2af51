import http from 'node:http';
import https from 'node:https';
import { guardedLookup } from './ssrf.js';

export interface PostResult {
  statusCode: number | null;
  /** Up to 1 kB of the answer, for the delivery log. */
  body: string;
  retryAfterSeconds: number | null;
  error: string | null;
  durationMs: number;
}

/**
 * POSTs a body with the SSRF-guarded lookup, no redirect following (a 3xx is a failure, per
 * Standard Webhooks) and a hard timeout. Never throws: network errors come back in `error`.
 */
export function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: { allowPrivate: boolean; timeoutMs?: number },
): Promise<PostResult> {
  const started = performance.now();
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const done = (partial: Omit<PostResult, 'durationMs'>) =>
      resolve({ ...partial, durationMs: Math.round(performance.now() - started) });
    const request = client.request(
      target,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'Toktra-Webhooks/1', ...headers },
        lookup: guardedLookup(options.allowPrivate) as never,
        timeout: options.timeoutMs ?? 15_000,
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          if (text.length < 1024) text += chunk;
        });
        response.on('end', () => {
          const retryAfter = Number(response.headers['retry-after']);
          done({
            statusCode: response.statusCode ?? null,
            body: text.slice(0, 1024),
            retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : null,
            error: null,
          });
        });
        response.on('error', (err) =>
          done({ statusCode: null, body: '', retryAfterSeconds: null, error: err.message }),
        );
      },
    );
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', (err) =>
      done({ statusCode: null, body: '', retryAfterSeconds: null, error: err.message }),
    );
    request.end(body);
  });
}
