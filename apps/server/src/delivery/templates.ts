/** Rendered mail: always HTML plus a plain-text part. */
export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

export interface PolicyEmailInput {
  recipientName: string;
  /** Whether the recipient is the person concerned or their manager. */
  audience: 'user' | 'manager';
  subjectName: string;
  policyName: string;
  severity: string;
  summary: string;
  facts: Array<[label: string, value: string]>;
}

/**
 * The policy notice. Metadata only (who, which policy, counts, times) — never content, since
 * Toktra never has any.
 */
export function renderPolicyEmail(input: PolicyEmailInput): RenderedEmail {
  const who = input.audience === 'user' ? 'your AI usage' : `the AI usage of ${input.subjectName}`;
  const subject = `[Toktra ${input.severity}] ${input.policyName}`;
  const intro = `The policy "${input.policyName}" matched ${who}. ${input.summary}`;
  const text = [
    `Hello ${input.recipientName},`,
    '',
    intro,
    '',
    ...input.facts.map(([label, value]) => `${label}: ${value}`),
    '',
    'This notice was sent by Toktra. Toktra records which AI tools are used and how much, never what is said.',
  ].join('\n');
  const rows = input.facts
    .map(
      ([label, value]) =>
        `<tr><th align="left" style="padding:4px 12px 4px 0;color:#555">${escapeHtml(label)}</th><td style="padding:4px 0">${escapeHtml(value)}</td></tr>`,
    )
    .join('');
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#222;max-width:600px">
<p>Hello ${escapeHtml(input.recipientName)},</p>
<p>${escapeHtml(intro)}</p>
<table style="border-collapse:collapse">${rows}</table>
<p style="color:#777;font-size:12px">This notice was sent by Toktra. Toktra records which AI tools are used and how much, never what is said.</p>
</body></html>`;
  return { subject, text, html };
}
