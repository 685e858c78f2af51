/**
 * Sign-in flows between the redirect to the issuer and its callback: state → PKCE verifier and
 * nonce, kept in memory for ten minutes. The browser also holds the state in a cookie, so a
 * callback URL replayed in another browser (login CSRF) is refused.
 */
export interface PendingFlow {
  orgId: string;
  codeVerifier: string;
  nonce: string;
  redirectUri: string;
  returnTo: string;
  createdAt: number;
}

const TTL_MS = 10 * 60 * 1000;
const pending = new Map<string, PendingFlow>();

export function rememberFlow(state: string, flow: PendingFlow): void {
  const now = Date.now();
  for (const [key, value] of pending) if (now - value.createdAt > TTL_MS) pending.delete(key);
  pending.set(state, flow);
}

/** Returns the flow once (a state is single-use) or undefined when unknown or expired. */
export function takeFlow(state: string): PendingFlow | undefined {
  const flow = pending.get(state);
  pending.delete(state);
  return flow && Date.now() - flow.createdAt <= TTL_MS ? flow : undefined;
}
