/// <reference types="chrome" />
import { ask, type Status, show, text } from './messages.js';

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : 'never');

async function render(): Promise<void> {
  const s = await ask<Status>({ type: 'status' });
  show('signed-in', s.enrolled);
  show('sign-in-form', !s.enrolled && !s.managed);
  show('managed', s.managed);
  text('status', s.enrolled ? (s.preflight?.allow === false ? 'Blocked' : 'Active') : 'Not signed in');
  text('user', s.user ? `${s.user.name} <${s.user.email}>` : '—');
  text('server', s.serverUrl ?? '—');
  text(
    'via',
    s.enrolledVia === 'managed_policy'
      ? 'managed policy'
      : s.enrolledVia === 'sign_in'
        ? 'your sign-in'
        : '—',
  );
  text('last-sync', when(s.lastSyncAt));
  text('queued', String(s.queued));
  text(
    'preflight',
    s.preflight
      ? `${s.preflight.allow ? 'allowed' : 'blocked'} — ${s.preflight.reason} (tier ${s.preflight.tier}, checked ${when(s.preflight.fetched_at)})`
      : '—',
  );
  text('blocked-count', String(s.blockedCount));
  text('error', s.lastError ?? '');
  show('error', !!s.lastError);
  const server = document.getElementById('server-url') as HTMLInputElement | null;
  if (server && !server.value && s.serverUrl) server.value = s.serverUrl;
}

document.getElementById('sign-in-form')?.addEventListener('submit', (event) => {
  event.preventDefault();
  const value = (id: string) => (document.getElementById(id) as HTMLInputElement).value.trim();
  text('form-error', '');
  ask({
    type: 'sign-in',
    serverUrl: value('server-url'),
    email: value('email'),
    password: (document.getElementById('password') as HTMLInputElement).value,
  })
    .then(render)
    .catch((err: Error) => text('form-error', err.message));
});
document
  .getElementById('sign-out')
  ?.addEventListener('click', () => void ask({ type: 'sign-out' }).then(render));
document
  .getElementById('sync-now')
  ?.addEventListener('click', () => void ask({ type: 'refresh' }).then(render));

// The service worker may still be starting when the page opens: render again until it answers.
setInterval(() => void render().catch(() => undefined), 2_000);
void render().catch(() => undefined);
