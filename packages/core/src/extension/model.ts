/** A model id as providers spell them: letters, digits, `.`, `-`, `_`, `:`, `/` (org/model). */
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,119}$/;

/** Response headers some providers use to name the model that answered (lower-case). */
export const MODEL_HEADERS = ['openai-model', 'x-model', 'x-model-id', 'anthropic-model'] as const;

function clean(candidate: string | null | undefined): string | null {
  if (!candidate) return null;
  let value = candidate;
  try {
    value = decodeURIComponent(candidate);
  } catch {
    return null;
  }
  value = value.trim();
  return MODEL_ID.test(value) ? value : null;
}

/**
 * The model a request names in its URL, when it does: Gemini/Vertex `…/models/{model}:verb`,
 * Azure OpenAI `…/deployments/{deployment}/…`, Bedrock `…/model/{id}/invoke`, or a `model` query
 * parameter. Never looks at a body (the extension cannot and must not read it).
 */
export function modelFromUrl(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  const path = parsed.pathname;
  const gemini =
    /\/models\/([^/:]+):[A-Za-z]+/.exec(path) ?? /\/publishers\/[^/]+\/models\/([^/:]+)/.exec(path);
  if (gemini) return clean(gemini[1]);
  const azure = /\/openai\/deployments\/([^/]+)\//.exec(path);
  if (azure) return clean(azure[1]);
  const bedrock = /\/model\/([^/]+)\/(invoke|converse)/.exec(path);
  if (bedrock) return clean(bedrock[1]);
  return clean(parsed.searchParams.get('model'));
}

/** The model a response header names (`openai-model: gpt-4o-mini`), when one does. */
export function modelFromHeaders(
  headers: ReadonlyArray<{ name: string; value?: string | undefined }>,
): string | null {
  for (const h of headers) {
    if ((MODEL_HEADERS as readonly string[]).includes(h.name.toLowerCase())) {
      const model = clean(h.value);
      if (model) return model;
    }
  }
  return null;
}
