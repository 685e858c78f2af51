import { ProviderError, type RetryPolicy, requestJson } from '../http.js';

/** A bearer token from an OAuth token endpoint, cached until a minute before it expires. */
export function tokenCache(fetchToken: () => Promise<{ token: string; expiresInS: number }>) {
  let cached: { token: string; until: number } | undefined;
  return async (): Promise<string> => {
    if (cached && cached.until > Date.now()) return cached.token;
    const { token, expiresInS } = await fetchToken();
    cached = { token, until: Date.now() + Math.max(0, expiresInS - 60) * 1000 };
    return token;
  };
}

/** POSTs a form to a token endpoint and returns `access_token` (RFC 6749 §5.1). */
export async function requestToken(
  label: string,
  credential: string,
  url: string,
  form: Record<string, string>,
  retry?: RetryPolicy,
): Promise<{ token: string; expiresInS: number }> {
  const body = (await requestJson({ label, credential, url, method: 'POST', form, retry })) as Record<
    string,
    unknown
  >;
  if (typeof body.access_token !== 'string' || body.access_token === '') {
    throw new ProviderError('bad_response', `${label} token endpoint answered without an access_token`);
  }
  const expires = Number(body.expires_in);
  return { token: body.access_token, expiresInS: Number.isFinite(expires) ? expires : 3600 };
}
