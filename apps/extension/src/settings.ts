/// <reference types="chrome" />
import type { PreflightAnswer } from './blocking.js';

/** What the extension keeps in chrome.storage.local. The token never leaves it except to the server. */
export interface Settings {
  serverUrl: string | null;
  token: string | null;
  user: { id: string; email: string; name: string } | null;
  orgId: string | null;
  enrolledVia: 'sign_in' | 'managed_policy' | null;
  lastSyncAt: string | null;
  preflight: (PreflightAnswer & { fetched_at: string }) | null;
  blockedCount: number;
  lastError: string | null;
}

export const EMPTY: Settings = {
  serverUrl: null,
  token: null,
  user: null,
  orgId: null,
  enrolledVia: null,
  lastSyncAt: null,
  preflight: null,
  blockedCount: 0,
  lastError: null,
};

export async function loadSettings(): Promise<Settings> {
  const stored = (await chrome.storage.local.get('settings')) as { settings?: Partial<Settings> };
  return { ...EMPTY, ...(stored.settings ?? {}) };
}

export async function saveSettings(patch: Partial<Settings>): Promise<Settings> {
  const next = { ...(await loadSettings()), ...patch };
  await chrome.storage.local.set({ settings: next });
  return next;
}

/** The managed policy (schema in managed-schema.json), when an admin deployed one. */
export interface ManagedPolicy {
  server_url?: string;
  org_token?: string;
  user_email?: string;
}

export async function loadManagedPolicy(): Promise<ManagedPolicy> {
  try {
    return (await chrome.storage.managed.get(null)) as ManagedPolicy;
  } catch {
    return {};
  }
}
