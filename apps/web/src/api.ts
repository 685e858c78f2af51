/** The one way the dashboard talks to the server: same-origin fetch, cookie session + CSRF. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (response.status === 204) return undefined as T;
  const body = (await response.json().catch(() => ({}))) as {
    error?: { code?: string; message?: string };
  };
  if (!response.ok) {
    throw new ApiError(
      response.status,
      body.error?.code ?? 'internal',
      body.error?.message ?? `request failed (${response.status})`,
    );
  }
  return body as T;
}

export function query(params: Record<string, string | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
  const text = search.toString();
  return text ? `?${text}` : '';
}

export type Permission =
  | 'dashboard:view'
  | 'usage:read'
  | 'users:read'
  | 'users:write'
  | 'departments:read'
  | 'departments:write'
  | 'devices:read'
  | 'devices:revoke'
  | 'enroll_tokens:create'
  | 'api_keys:manage'
  | 'settings:manage'
  | 'audit:read'
  | 'events:ingest'
  | 'portal:view';

export interface Me {
  user: {
    id: string;
    email: string;
    name: string;
    role: string;
    department_id: string | null;
    department_name: string | null;
  } | null;
  org: { id: string; name: string; time_zone: string };
  principal: { kind: 'api_key' | 'user'; role: string; reach: 'org' | 'subtree' | 'self' };
  permissions: Permission[];
  csrf_token: string | null;
}

export interface UsageTotals {
  events: number;
  bytes_up: number;
  bytes_down: number;
  est_input_tokens: number;
  est_output_tokens: number;
  reconciled_input_tokens: number | null;
  reconciled_output_tokens: number | null;
  /** Estimated tokens priced per provider and model, in USD. */
  est_cost: number;
}

export interface UsageResponse<K extends string = never> {
  totals: UsageTotals;
  data: Array<UsageTotals & Record<K, string | null>>;
}

export interface Overview {
  start_date: string;
  end_date: string;
  enrolled_devices: number;
  active_users: number;
  total_tokens: number;
  /** USD, priced per provider and model. */
  est_cost: number;
  est_input_tokens: number;
  est_output_tokens: number;
  reconciled_tokens: number | null;
  protected: { reporting_devices: number; active_devices: number; protected: boolean };
  trend: Array<{ date: string; est_input_tokens: number; est_output_tokens: number; events: number }>;
}

export interface Directory {
  users: Array<{ id: string; name: string; email: string; department_id: string | null }>;
  departments: Array<{ id: string; name: string; parent_id: string | null }>;
  models: string[];
}

export interface Device {
  id: string;
  hostname: string;
  os: string | null;
  os_user?: string | null;
  agent_version: string | null;
  owner_user_id?: string | null;
  status: 'active' | 'revoked';
  privacy_state: string | null;
  last_seen_at: string | null;
  protected?: boolean;
}
