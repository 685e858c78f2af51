/// <reference types="chrome" />

/** Sends a message to the service worker and unwraps its `{ok, value | error}` answer. */
export async function ask<T>(message: Record<string, unknown>): Promise<T> {
  const answer = (await chrome.runtime.sendMessage(message)) as { ok: boolean; value?: T; error?: string };
  if (!answer?.ok) throw new Error(answer?.error ?? 'the extension did not answer');
  return answer.value as T;
}

export interface Status {
  enrolled: boolean;
  managed: boolean;
  serverUrl: string | null;
  user: { id: string; email: string; name: string } | null;
  enrolledVia: 'sign_in' | 'managed_policy' | null;
  lastSyncAt: string | null;
  queued: number;
  blockedCount: number;
  lastError: string | null;
  preflight: {
    allow: boolean;
    code: string;
    reason: string;
    budget_id: string | null;
    tier: string;
    fetched_at: string;
    exemption_url: string;
  } | null;
}

export function text(id: string, value: string): void {
  const el = document.getElementById(id);
  if (el) el.textContent = value;
}

export function show(id: string, visible: boolean): void {
  const el = document.getElementById(id);
  if (el) el.hidden = !visible;
}
