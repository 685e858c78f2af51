/// <reference types="chrome" />
import { ApiError, ToktraApi } from './api.js';
import { Batcher, type SendResult } from './batcher.js';
import { BLOCKED_PAGE, installRules, type PreflightAnswer, rulesFor } from './blocking.js';
import { isPrivate } from './core.js';
import { blockDomains, matchPatterns } from './hosts.js';
import { type RequestRecord, RequestTracker } from './record.js';
import { loadManagedPolicy, loadSettings, type Settings, saveSettings } from './settings.js';

const VERSION = chrome.runtime.getManifest().version;
/** Resource types that carry LLM requests or chat-app pages; static assets are not reported. */
const TYPES: `${chrome.webRequest.ResourceType}`[] = [
  'main_frame',
  'sub_frame',
  'xmlhttprequest',
  'websocket',
  'other',
];
const FILTER: chrome.webRequest.RequestFilter = { urls: matchPatterns(), types: TYPES };
const BLOCK_DOMAINS = blockDomains();

const tracker = new RequestTracker();
const batcher = new Batcher(sendBatch, (queue) => {
  void chrome.storage.session.set({ queue });
});
let refreshTimer: ReturnType<typeof setTimeout> | null = null;
let refreshing: Promise<void> | null = null;
let lastNotice = 0;
let privacy: PreflightAnswer['privacy'];

/** Privacy Hours (the user's own schedule or pause): while in force, nothing is captured. */
function inPrivacyHours(now = new Date()): boolean {
  if (!privacy) return false;
  return isPrivate(
    {
      timeZone: privacy.time_zone,
      windows: privacy.windows,
      ...(privacy.paused_indefinitely
        ? { pausedUntil: 'indefinite' as const }
        : privacy.paused_until
          ? { pausedUntil: privacy.paused_until }
          : {}),
    },
    now,
  );
}

function capture(record: RequestRecord | null): void {
  if (record && !inPrivacyHours(new Date(record.started_at))) batcher.add(record);
}

async function api(): Promise<{ client: ToktraApi; settings: Settings } | null> {
  const settings = await loadSettings();
  if (!settings.serverUrl || !settings.token) return null;
  return { client: new ToktraApi(settings.serverUrl, settings.token), settings };
}

/** A revoked or unknown token: forget the enrollment and stop blocking (nothing to enforce). */
async function dropEnrollment(reason: string): Promise<void> {
  await saveSettings({
    token: null,
    user: null,
    orgId: null,
    enrolledVia: null,
    preflight: null,
    lastError: reason,
  });
  await installRules([]);
}

async function sendBatch(batch: RequestRecord[]): Promise<SendResult> {
  const session = await api();
  if (!session) return 'retry';
  try {
    await session.client.sendEvents(batch);
    await saveSettings({ lastSyncAt: new Date().toISOString(), lastError: null });
    return 'ok';
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      await dropEnrollment('this browser was signed out or revoked');
      return 'unauthorized';
    }
    await saveSettings({ lastError: `could not send usage: ${(err as Error).message}` });
    return 'retry';
  }
}

/**
 * Asks the server whether the user may send LLM requests now and installs the matching rules.
 * When the server cannot be reached, the last answer (and its rules) stays in force.
 */
async function refreshPreflight(): Promise<void> {
  if (refreshing) return refreshing;
  refreshing = (async () => {
    const session = await api();
    let ttl = 30;
    try {
      if (!session) return;
      const answer = await session.client.preflight();
      ttl = answer.ttl_seconds;
      privacy = answer.privacy;
      await saveSettings({ preflight: { ...answer, fetched_at: new Date().toISOString() }, lastError: null });
      await installRules(rulesFor(answer, BLOCK_DOMAINS));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401)
        await dropEnrollment('this browser was signed out or revoked');
      else await saveSettings({ lastError: `could not reach Toktra: ${(err as Error).message}` });
    } finally {
      refreshing = null;
      if (refreshTimer) clearTimeout(refreshTimer);
      refreshTimer = setTimeout(() => void refreshPreflight(), ttl * 1000);
    }
  })();
  return refreshing;
}

async function enroll(serverUrl: string, credentials: Record<string, string>, via: Settings['enrolledVia']) {
  const client = new ToktraApi(serverUrl);
  const answer = await client.enroll(credentials, VERSION);
  const me = await new ToktraApi(serverUrl, answer.token).me();
  await saveSettings({
    serverUrl,
    token: answer.token,
    user: me.user,
    orgId: me.org_id,
    enrolledVia: via,
    lastError: null,
  });
  await refreshPreflight();
}

/** A managed policy with an org token enrolls the browser without the user signing in. */
async function enrollFromPolicy(): Promise<void> {
  const policy = await loadManagedPolicy();
  const settings = await loadSettings();
  if (!policy.server_url || !policy.org_token || settings.token) return;
  let email = policy.user_email;
  if (!email && chrome.identity?.getProfileUserInfo) {
    email = (
      await chrome.identity.getProfileUserInfo({ accountStatus: 'ANY' as chrome.identity.AccountStatus })
    ).email;
  }
  if (!email) {
    await saveSettings({ lastError: 'the managed policy names no user_email and Chrome is not signed in' });
    return;
  }
  await enroll(policy.server_url, { org_token: policy.org_token, user_email: email }, 'managed_policy').catch(
    (err) => saveSettings({ lastError: `managed enrollment failed: ${(err as Error).message}` }),
  );
}

// Listeners are registered synchronously at the top level, as MV3 service workers require.
chrome.webRequest.onBeforeRequest.addListener(
  (d) => {
    if (d.initiator?.startsWith(`chrome-extension://${chrome.runtime.id}`)) return undefined;
    if (tracker.begin(d)) void staleCheck();
    return undefined;
  },
  FILTER,
  ['requestBody'],
);
chrome.webRequest.onSendHeaders.addListener((d) => tracker.sent(d), FILTER, [
  'requestHeaders',
  'extraHeaders',
]);
chrome.webRequest.onHeadersReceived.addListener(
  (d) => {
    tracker.headers(d);
    return undefined;
  },
  FILTER,
  ['responseHeaders'],
);
chrome.webRequest.onCompleted.addListener((d) => capture(tracker.end(d)), FILTER);
chrome.webRequest.onErrorOccurred.addListener((d) => {
  capture(tracker.end(d));
  if (d.error === 'net::ERR_BLOCKED_BY_CLIENT') void noticeBlocked(d.type);
}, FILTER);

async function staleCheck(): Promise<void> {
  const { preflight } = await loadSettings();
  const age = preflight ? Date.now() - Date.parse(preflight.fetched_at) : Number.POSITIVE_INFINITY;
  if (age > (preflight?.ttl_seconds ?? 30) * 1000) void refreshPreflight();
}

/** A blocked fetch/XHR has no page to redirect: tell the user with a notification instead. */
async function noticeBlocked(type: string): Promise<void> {
  const settings = await loadSettings();
  await saveSettings({ blockedCount: settings.blockedCount + 1 });
  if (type === 'main_frame' || Date.now() - lastNotice < 60_000) return;
  lastNotice = Date.now();
  chrome.notifications?.create('toktra-blocked', {
    type: 'basic',
    iconUrl: 'icon.png',
    title: 'AI request blocked by Toktra',
    message: settings.preflight?.reason ?? 'Your organization has paused AI requests for you.',
    buttons: [{ title: 'Request an exemption' }],
  });
}

chrome.notifications?.onClicked.addListener(() => void chrome.tabs.create({ url: BLOCKED_PAGE }));
chrome.notifications?.onButtonClicked.addListener(() => void chrome.tabs.create({ url: BLOCKED_PAGE }));
chrome.action?.onClicked.addListener(() => void chrome.runtime.openOptionsPage());

chrome.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name !== 'toktra-refresh') return;
  void refreshPreflight();
  void batcher.flush();
});

type Message =
  | { type: 'status' }
  | { type: 'sign-in'; serverUrl: string; email: string; password: string }
  | { type: 'sign-out' }
  | { type: 'refresh' }
  | { type: 'request-exemption'; justification?: string };

async function handle(message: Message): Promise<unknown> {
  switch (message.type) {
    case 'status': {
      const { token: _token, ...settings } = await loadSettings();
      const policy = await loadManagedPolicy();
      return { ...settings, enrolled: _token !== null, queued: batcher.size, managed: !!policy.org_token };
    }
    case 'sign-in':
      await enroll(message.serverUrl, { email: message.email, password: message.password }, 'sign_in');
      return { ok: true };
    case 'sign-out': {
      await batcher.flush();
      const session = await api();
      await session?.client.signOut().catch(() => undefined);
      await dropEnrollment('signed out');
      await saveSettings({ lastError: null });
      return { ok: true };
    }
    case 'refresh':
      await refreshPreflight();
      await batcher.flush();
      return { ok: true };
    case 'request-exemption': {
      const session = await api();
      const budgetId = session?.settings.preflight?.budget_id;
      if (!session || !budgetId) throw new Error('no budget blocks you right now');
      return session.client.requestExemption(budgetId, message.justification);
    }
  }
}

chrome.runtime.onMessage.addListener((message: Message, sender, reply) => {
  if (sender.id !== chrome.runtime.id) return false;
  handle(message).then(
    (value) => reply({ ok: true, value }),
    (err: Error) => reply({ ok: false, error: err.message }),
  );
  return true;
});

async function start(): Promise<void> {
  privacy = (await loadSettings()).preflight?.privacy;
  await chrome.alarms.create('toktra-refresh', { periodInMinutes: 1 });
  const saved = (await chrome.storage.session.get('queue')) as { queue?: RequestRecord[] };
  if (saved.queue?.length) batcher.restore(saved.queue);
  await enrollFromPolicy();
  await refreshPreflight();
}

// For tests and debugging from the service worker console: force a preflight refresh or a flush.
Object.assign(globalThis, {
  toktra: { refreshPreflight, flush: () => batcher.flush(), settings: loadSettings },
});

void start();
