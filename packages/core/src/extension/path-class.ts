/**
 * What an LLM request does, from its URL path alone (never its body). The extension reports one
 * of these per request; the server refuses anything else.
 */
export const PATH_CLASSES = [
  'chat',
  'completions',
  'responses',
  'embeddings',
  'images',
  'audio',
  'moderations',
  'assistants',
  'files',
  'batches',
  'fine-tuning',
  'models',
  'realtime',
  'page',
  'other',
] as const;

export type PathClass = (typeof PATH_CLASSES)[number];

// First match wins: more specific patterns (chat/completions) before general ones (completions).
const RULES: ReadonlyArray<[RegExp, PathClass]> = [
  [/\/chat\/completions\b|\/v1\/messages\b|:(stream)?generatecontent\b|\/conversation\b|\/chat\b/, 'chat'],
  [/\/responses\b/, 'responses'],
  [/\/completions?\b|\/complete\b|\/generate\b/, 'completions'],
  [/\/embeddings?\b|:embedcontent\b|:batchembedcontents\b|\/embed\b/, 'embeddings'],
  [/\/images?\b/, 'images'],
  [/\/audio\b|\/speech\b|\/transcriptions?\b|\/translations?\b/, 'audio'],
  [/\/moderations?\b/, 'moderations'],
  [/\/assistants\b|\/threads\b|\/runs\b|\/vector_stores\b/, 'assistants'],
  [/\/files\b|\/uploads\b/, 'files'],
  [/\/batches\b|\/batch\b/, 'batches'],
  [/\/fine_tuning\b|\/fine-tunes?\b|\/tuningjobs\b/, 'fine-tuning'],
  [/\/realtime\b/, 'realtime'],
  [/\/models\/?$|\/models\/[^/:]+\/?$/, 'models'],
];

/**
 * Classifies a request path (`/v1/chat/completions`, `/v1beta/models/gemini-pro:generateContent`).
 * A top-level page load of a chat app is `page`; anything unrecognised is `other`.
 */
export function classifyPath(path: string, resourceType?: string): PathClass {
  const p = path.toLowerCase().split('?')[0] ?? '';
  for (const [pattern, cls] of RULES) if (pattern.test(p)) return cls;
  if (resourceType === 'main_frame' || resourceType === 'sub_frame') return 'page';
  return 'other';
}
