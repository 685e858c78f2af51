import { describe, expect, it } from 'vitest';
import {
  addMeasures,
  agentIncrement,
  DEDUPE_WINDOW_MS,
  extensionIncrement,
  type Measures,
  withinConnection,
  ZERO_MEASURES,
} from './dedupe.js';
import { modelFromHeaders, modelFromUrl } from './model.js';
import { classifyPath } from './path-class.js';

describe('classifyPath', () => {
  it.each([
    ['/v1/chat/completions', 'chat'],
    ['/v1/messages', 'chat'],
    ['/v1beta/models/gemini-1.5-pro:streamGenerateContent', 'chat'],
    ['/backend-api/conversation', 'chat'],
    ['/v1/completions', 'completions'],
    ['/v1/responses', 'responses'],
    ['/v1/embeddings', 'embeddings'],
    ['/v1beta/models/text-embedding-004:embedContent', 'embeddings'],
    ['/v1/images/generations', 'images'],
    ['/v1/audio/transcriptions', 'audio'],
    ['/v1/moderations', 'moderations'],
    ['/v1/threads/abc/runs', 'assistants'],
    ['/v1/files', 'files'],
    ['/v1/batches', 'batches'],
    ['/v1/fine_tuning/jobs', 'fine-tuning'],
    ['/v1/models', 'models'],
    ['/v1/realtime', 'realtime'],
  ])('%s → %s', (path, expected) => {
    expect(classifyPath(path)).toBe(expected);
  });

  it('calls a top-level page load a page and anything else other', () => {
    expect(classifyPath('/', 'main_frame')).toBe('page');
    expect(classifyPath('/static/app.js', 'script')).toBe('other');
  });

  it('ignores the query string', () => {
    expect(classifyPath('/v1/files?purpose=/chat/completions')).toBe('files');
  });
});

describe('model extraction', () => {
  it.each([
    [
      'https://generativelanguage.googleapis.com/v1beta/models/gemini-1.5-pro:generateContent',
      'gemini-1.5-pro',
    ],
    [
      'https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/l/publishers/google/models/gemini-2.5-pro:streamGenerateContent',
      'gemini-2.5-pro',
    ],
    [
      'https://acme.openai.azure.com/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-06-01',
      'gpt-4o-prod',
    ],
    [
      'https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1:0/invoke',
      'anthropic.claude-3-haiku-20240307-v1:0',
    ],
    ['https://api.example.ai/v1/generate?model=llama-3.1-8b', 'llama-3.1-8b'],
    ['https://api.openai.com/v1/chat/completions', null],
    ['not a url', null],
    ['https://api.example.ai/v1/generate?model=%3Cscript%3E', null],
  ])('%s → %s', (url, model) => {
    expect(modelFromUrl(url)).toBe(model);
  });

  it('reads only the model headers', () => {
    expect(modelFromHeaders([{ name: 'OpenAI-Model', value: 'gpt-4o-mini-2024-07-18' }])).toBe(
      'gpt-4o-mini-2024-07-18',
    );
    expect(modelFromHeaders([{ name: 'x-request-id', value: 'gpt-4o' }])).toBeNull();
    expect(modelFromHeaders([{ name: 'x-model', value: 'bad value with spaces' }])).toBeNull();
  });
});

describe('dedupe rule', () => {
  it('matches requests inside the connection widened by the window', () => {
    const c = { start: 10_000, end: 20_000 };
    expect(withinConnection(c, 15_000)).toBe(true);
    expect(withinConnection(c, 10_000 - DEDUPE_WINDOW_MS)).toBe(true);
    expect(withinConnection(c, 20_000 + DEDUPE_WINDOW_MS + 1)).toBe(false);
    expect(withinConnection({ start: 10_000, end: null }, 14_000)).toBe(true);
  });

  const m = (x: number): Measures => ({ bytesUp: x, bytesDown: 2 * x, inputTokens: x, outputTokens: 3 * x });
  const max = (a: Measures, b: Measures): Measures => ({
    bytesUp: Math.max(a.bytesUp, b.bytesUp),
    bytesDown: Math.max(a.bytesDown, b.bytesDown),
    inputTokens: Math.max(a.inputTokens, b.inputTokens),
    outputTokens: Math.max(a.outputTokens, b.outputTokens),
  });

  /** Replays one arrival order the way the server does and returns what the group counted. */
  function replay(order: Array<{ kind: 'agent' | 'ext'; m: Measures }>): Measures {
    let counted = { ...ZERO_MEASURES };
    let agentSeen = false;
    let raw = { ...ZERO_MEASURES };
    let unlinkedCounted = { ...ZERO_MEASURES };
    for (const e of order) {
      if (e.kind === 'agent') {
        const inc = agentIncrement(e.m, unlinkedCounted);
        counted = addMeasures(counted, inc);
        agentSeen = true;
      } else if (agentSeen) {
        const inc = extensionIncrement(counted, raw, e.m);
        counted = addMeasures(counted, inc);
      } else {
        counted = addMeasures(counted, e.m);
        unlinkedCounted = addMeasures(unlinkedCounted, e.m);
      }
      if (e.kind === 'ext') raw = addMeasures(raw, e.m);
    }
    return counted;
  }

  it('counts max(agent, Σ extension) whatever the order of arrival', () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let run = 0; run < 500; run++) {
      const agent = m(Math.floor(rand() * 5_000));
      const exts = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => m(Math.floor(rand() * 2_000)));
      const expected = max(agent, exts.reduce(addMeasures, { ...ZERO_MEASURES }));
      const position = Math.floor(rand() * (exts.length + 1));
      const order = exts.map((x) => ({ kind: 'ext' as const, m: x }));
      order.splice(position, 0, { kind: 'agent' as unknown as 'ext', m: agent });
      expect(replay(order as Array<{ kind: 'agent' | 'ext'; m: Measures }>)).toEqual(expected);
    }
  });
});
