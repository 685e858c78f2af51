/**
 * The one HTTP path of every provider client: JSON in and out, a timeout, bounded retries on
 * throttling (429, Azure's 529, 503) that honour `Retry-After`, and errors that say plainly what
 * the provider said ("OpenAI rejected the admin key (401 invalid_api_key)").
 */

export type ProviderErrorKind = 'auth' | 'rate_limited' | 'upstream' | 'network' | 'bad_response';

export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface RetryPolicy {
  /** Total tries, the first included. */
  maxAttempts: number;
  /** Exponential backoff base when the provider gives no Retry-After. */
  baseDelayMs: number;
  /** A Retry-After longer than this fails the call now (the job retries later) instead of blocking. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 60_000 };
const TIMEOUT_MS = 30_000;
const RETRYABLE = new Set([429, 503, 529]);

export interface ProviderRequest {
  /** Human name used in errors: "OpenAI", "Azure Monitor". */
  label: string;
  /** What the credential is called in errors: "admin key", "client secret". */
  credential: string;
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** Form-encoded body (OAuth token endpoints). */
  form?: Record<string, string>;
  retry?: RetryPolicy;
}

/** Seconds or an HTTP date → milliseconds; undefined when absent or unparseable. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** The provider's own error code and message, from any of the error shapes the four APIs use. */
export function describeErrorBody(body: unknown): { code?: string; message?: string } {
  if (typeof body !== 'object' || body === null) return {};
  const b = body as Record<string, unknown>;
  const e = b.error;
  if (typeof e === 'string') {
    // OAuth token endpoints: {"error":"invalid_client","error_description":"..."}
    return { code: e, message: typeof b.error_description === 'string' ? b.error_description : undefined };
  }
  if (typeof e === 'object' && e !== null) {
    const o = e as Record<string, unknown>;
    const code = [o.code, o.type, o.status].find((v) => typeof v === 'string' || typeof v === 'number');
    return {
      code: code === undefined ? undefined : String(code),
      message: typeof o.message === 'string' ? o.message : undefined,
    };
  }
  return {};
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function failure(req: ProviderRequest, status: number, body: unknown): ProviderError {
  const { code, message } = describeErrorBody(body);
  const what = code ? `${status} ${code}` : `${status}`;
  if (status === 401 || status === 403) {
    const verb = status === 401 ? 'rejected' : 'refused access with';
    return new ProviderError(
      'auth',
      `${req.label} ${verb} the ${req.credential} (${what})${message ? `: ${message}` : ''}`,
      status,
    );
  }
  if (RETRYABLE.has(status)) {
    return new ProviderError('rate_limited', `${req.label} kept throttling requests (${what})`, status);
  }
  return new ProviderError(
    'upstream',
    `${req.label} answered ${what}${message ? `: ${message}` : ''}`,
    status,
  );
}

/** Sends the request, retrying throttled answers; returns the parsed JSON body of a 2xx. */
export async function requestJson(req: ProviderRequest): Promise<unknown> {
  const retry = req.retry ?? DEFAULT_RETRY;
  const headers: Record<string, string> = {
    accept: 'application/json',
    'user-agent': 'Toktra/1 (https://github.com/toktra/toktra)',
    ...req.headers,
  };
  let body: string | undefined;
  if (req.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(req.form).toString();
  }
  for (let attempt = 1; ; attempt++) {
    let response: Response;
    try {
      response = await fetch(req.url, {
        method: req.method ?? 'GET',
        headers,
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      const reason =
        error instanceof Error
          ? ((error.cause as Error | undefined)?.message ?? error.message)
          : String(error);
      throw new ProviderError(
        'network',
        `could not reach ${req.label} at ${new URL(req.url).origin}: ${reason}`,
      );
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = undefined;
    }
    if (response.ok) {
      if (parsed === undefined || parsed === null) {
        throw new ProviderError(
          'bad_response',
          `${req.label} answered ${response.status} without a JSON body`,
        );
      }
      return parsed;
    }
    if (RETRYABLE.has(response.status) && attempt < retry.maxAttempts) {
      const wait =
        parseRetryAfter(response.headers.get('retry-after')) ?? retry.baseDelayMs * 2 ** (attempt - 1);
      if (wait <= retry.maxDelayMs) {
        await sleep(wait);
        continue;
      }
    }
    throw failure(req, response.status, parsed);
  }
}

/** One page of an admin usage/cost report (OpenAI and Anthropic share this envelope). */
export interface ReportPage<B> {
  data?: B[];
  has_more?: boolean;
  next_page?: string | null;
}

/**
 * Follows `next_page` until `has_more` is false, every other parameter unchanged; the cursor is
 * opaque and sent back as `page`. Refuses an answer without a data array, and an endless report.
 */
export async function fetchAllPages<B>(
  label: string,
  get: (params: URLSearchParams) => Promise<ReportPage<B>>,
  params: URLSearchParams,
): Promise<B[]> {
  const buckets: B[] = [];
  for (let pages = 0; ; pages++) {
    if (pages > 10_000) throw new ProviderError('bad_response', `${label} kept returning pages`);
    const page = await get(params);
    if (!Array.isArray(page.data))
      throw new ProviderError('bad_response', `${label} answered without a data array`);
    buckets.push(...page.data);
    if (!page.has_more || !page.next_page) return buckets;
    params.set('page', page.next_page);
  }
}
