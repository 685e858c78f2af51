/**
 * The rule that keeps a request seen by both the browser extension and the endpoint agent from
 * being counted twice (docs/extension.md). The agent sees the TLS connection (SNI, bytes), the
 * extension sees the HTTP requests inside it. An extension request belongs to an agent event when
 * both have the same user and the same host, and the request starts within the connection's
 * lifetime widened by `DEDUPE_WINDOW_MS` on both sides.
 *
 * Such a group counts `max(agent, Σ extension)` per measure, whatever the order of arrival: each
 * arriving event adds only its increment over what the group counted so far. Normally the agent's
 * TLS byte count is the larger, so the extension enriches (model, path class) and adds nothing.
 */
export const DEDUPE_WINDOW_MS = 5_000;

export interface Interval {
  start: number;
  end: number | null;
}

/** Whether a request starting at `requestStart` falls inside the agent's connection window. */
export function withinConnection(
  connection: Interval,
  requestStart: number,
  windowMs = DEDUPE_WINDOW_MS,
): boolean {
  const end = connection.end ?? connection.start;
  return requestStart >= connection.start - windowMs && requestStart <= end + windowMs;
}

export interface Measures {
  bytesUp: number;
  bytesDown: number;
  inputTokens: number;
  outputTokens: number;
}

export const ZERO_MEASURES: Readonly<Measures> = {
  bytesUp: 0,
  bytesDown: 0,
  inputTokens: 0,
  outputTokens: 0,
};

const KEYS = ['bytesUp', 'bytesDown', 'inputTokens', 'outputTokens'] as const;

function combine(a: Measures, b: Measures, f: (x: number, y: number) => number): Measures {
  const out = { ...ZERO_MEASURES };
  for (const k of KEYS) out[k] = f(a[k], b[k]);
  return out;
}

export const addMeasures = (a: Measures, b: Measures): Measures => combine(a, b, (x, y) => x + y);

/**
 * What an agent event adds when extension requests of its connection were counted before it:
 * `max(agent, Σ extension) − Σ extension`.
 */
export function agentIncrement(agent: Measures, countedExtension: Measures): Measures {
  return combine(agent, countedExtension, (a, e) => Math.max(0, a - e));
}

/**
 * What an extension request adds to a group that already holds an agent event. `groupCounted` is
 * everything the group counted so far (agent row + extension increments) = max(agent, Σ raw);
 * `groupExtensionRaw` is the raw sum of its extension requests. The new total is
 * max(groupCounted, groupExtensionRaw + arriving), so no raw agent figure is needed.
 */
export function extensionIncrement(
  groupCounted: Measures,
  groupExtensionRaw: Measures,
  arriving: Measures,
): Measures {
  const withArriving = addMeasures(groupExtensionRaw, arriving);
  return combine(withArriving, groupCounted, (e, counted) => Math.max(0, e - counted));
}
