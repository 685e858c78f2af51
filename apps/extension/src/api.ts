import type { PreflightAnswer } from './blocking.js';
import type { RequestRecord } from './record.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The Toktra server's /v1/extension API. Only metadata records and the token ever go out. */
export class ToktraApi {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string | null = null,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(new URL(path, this.baseUrl), {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      credentials: 'omit',
      cache: 'no-store',
    });
    if (res.status === 204) return undefined as T;
    const json = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
    if (!res.ok) throw new ApiError(res.status, json.error?.message ?? `HTTP ${res.status}`);
    return json as T;
  }

  enroll(credentials: Record<string, string>, version: string) {
    return this.call<{ browser_id: string; token: string; org_id: string; user_id: string }>(
      'POST',
      '/v1/extension/enroll',
      { ...credentials, browser_name: browserName(), extension_version: version },
    );
  }

  me() {
    return this.call<{
      browser_id: string;
      org_id: string;
      user: { id: string; email: string; name: string };
      enrolled_via: 'sign_in' | 'managed_policy';
      last_sync_at: string | null;
    }>('GET', '/v1/extension/me');
  }

  signOut() {
    return this.call<void>('DELETE', '/v1/extension/me');
  }

  preflight() {
    return this.call<PreflightAnswer>('GET', '/v1/extension/preflight');
  }

  sendEvents(events: readonly RequestRecord[]) {
    return this.call<{ accepted: number; duplicates: number; rejected: unknown[] }>(
      'POST',
      '/v1/extension/events',
      {
        events,
      },
    );
  }

  requestExemption(budgetId: string, justification: string | undefined) {
    return this.call<{ id: string; status: string }>('POST', '/v1/extension/exemptions', {
      budget_id: budgetId,
      ...(justification ? { justification } : {}),
    });
  }
}

function browserName(): string {
  const ua = typeof navigator === 'undefined' ? '' : navigator.userAgent;
  const os = /Windows/.test(ua)
    ? 'Windows'
    : /Mac OS/.test(ua)
      ? 'macOS'
      : /CrOS/.test(ua)
        ? 'ChromeOS'
        : /Linux/.test(ua)
          ? 'Linux'
          : 'unknown OS';
  return `Chrome on ${os}`;
}
