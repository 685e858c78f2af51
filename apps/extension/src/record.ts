import { classifyPath, defaultCatalogue, modelFromHeaders, modelFromUrl, newEventId } from './core.js';

/** What the extension sends for one request: exactly the fields the server accepts, no URL, no body. */
export interface RequestRecord {
  id: string;
  started_at: string;
  duration_ms: number | null;
  host: string;
  path_class: string;
  method: string;
  model: string | null;
  status_code: number | null;
  bytes_up: number | null;
  bytes_down: number | null;
}

type Header = { name: string; value?: string | undefined };

function contentLength(headers: readonly Header[] | undefined): number | null {
  const h = headers?.find((x) => x.name.toLowerCase() === 'content-length');
  const n = h?.value ? Number(h.value) : Number.NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

/**
 * The upload's size. Chrome hides Content-Length from extensions, so the size comes from the
 * request body's parts: only their `byteLength` is read — never their bytes — and nothing of the
 * body is kept. Form posts (`formData`) are not measured (chat apps send JSON).
 */
export function uploadSize(
  body: { raw?: Array<{ bytes?: ArrayBuffer; file?: string }> } | null | undefined,
): number | null {
  if (!body?.raw) return null;
  let total = 0;
  for (const part of body.raw) total += part.bytes?.byteLength ?? 0;
  return total;
}

interface Pending {
  startedAt: number;
  host: string;
  pathClass: string;
  method: string;
  model: string | null;
  bytesUp: number | null;
  bytesDown: number | null;
  statusCode: number | null;
}

/**
 * Follows requests through the webRequest events and turns each finished one into a record.
 * The URL is read once, in `begin`, to derive host, path class and model; it is never kept.
 * A host outside the catalogue is dropped there (the URL filters should already exclude it).
 */
export class RequestTracker {
  private pending = new Map<string, Pending>();

  begin(d: {
    requestId: string;
    url: string;
    method: string;
    timeStamp: number;
    type: string;
    requestBody?: { raw?: Array<{ bytes?: ArrayBuffer; file?: string }> } | null;
  }): boolean {
    let url: URL;
    try {
      url = new URL(d.url);
    } catch {
      return false;
    }
    if (url.protocol !== 'https:' || !defaultCatalogue.classify(url.hostname)) return false;
    // A CORS preflight carries no prompt and calls no model.
    if (d.method.toUpperCase() === 'OPTIONS') return false;
    this.pending.set(d.requestId, {
      startedAt: d.timeStamp,
      host: url.hostname.toLowerCase(),
      pathClass: classifyPath(url.pathname, d.type),
      method: d.method.toUpperCase().slice(0, 10),
      model: modelFromUrl(d.url),
      bytesUp: uploadSize(d.requestBody),
      bytesDown: null,
      statusCode: null,
    });
    if (this.pending.size > 1000) this.pending.delete(this.pending.keys().next().value as string);
    return true;
  }

  sent(d: { requestId: string; requestHeaders?: Header[] }): void {
    const p = this.pending.get(d.requestId);
    if (p && p.bytesUp === null) p.bytesUp = contentLength(d.requestHeaders);
  }

  headers(d: { requestId: string; statusCode: number; responseHeaders?: Header[] }): void {
    const p = this.pending.get(d.requestId);
    if (!p) return;
    p.statusCode = d.statusCode;
    p.bytesDown = contentLength(d.responseHeaders);
    p.model ??= modelFromHeaders(d.responseHeaders ?? []);
  }

  /** The finished request's record, or null when it was not tracked. */
  end(d: {
    requestId: string;
    timeStamp: number;
    statusCode?: number;
    error?: string;
  }): RequestRecord | null {
    const p = this.pending.get(d.requestId);
    if (!p) return null;
    this.pending.delete(d.requestId);
    // Blocked by our own rules: it never reached the provider, so there is no usage to report.
    if (d.error === 'net::ERR_BLOCKED_BY_CLIENT') return null;
    return {
      id: newEventId(),
      started_at: new Date(p.startedAt).toISOString(),
      duration_ms: Math.max(0, Math.round(d.timeStamp - p.startedAt)),
      host: p.host,
      path_class: p.pathClass,
      method: p.method,
      model: p.model,
      status_code: d.statusCode ?? p.statusCode,
      bytes_up: p.bytesUp,
      bytes_down: p.bytesDown,
    };
  }
}
