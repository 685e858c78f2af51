/// <reference types="chrome" />
import { ask, type Status, show, text } from './messages.js';

async function render(): Promise<void> {
  const s = await ask<Status>({ type: 'status' });
  const p = s.preflight;
  text('reason', p?.reason ?? 'Your organization has paused AI requests for you.');
  show('exemption', !!p?.budget_id);
  const portal = document.getElementById('portal') as HTMLAnchorElement | null;
  if (portal && p?.exemption_url) portal.href = p.exemption_url;
  if (p?.allow) text('result', 'AI requests are allowed again. You can go back and retry.');
}

document.getElementById('exemption-form')?.addEventListener('submit', (event) => {
  event.preventDefault();
  const justification = (document.getElementById('justification') as HTMLTextAreaElement).value.trim();
  ask<{ id: string; status: string }>({ type: 'request-exemption', justification })
    .then(() =>
      text('result', 'Exemption requested. An admin will decide; this page updates when it is approved.'),
    )
    .catch((err: Error) => text('result', `Could not request an exemption: ${err.message}`));
});

void render().catch(() => undefined);
setInterval(() => {
  void ask({ type: 'refresh' })
    .then(render)
    .catch(() => undefined);
}, 10_000);
