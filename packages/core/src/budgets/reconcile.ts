/**
 * Budgets count reconciled (provider-reported) usage once it exists for a provider and day, and
 * estimates until then. Providers report per org, not per person, so a reconciled day is spread
 * over departments in proportion to their estimated share of that provider-day; a reconciled
 * provider-day with no estimate at all counts for the org only (key `null`).
 */
export interface ScopedUsage {
  /** Department the usage was attributed to; null = no department. */
  departmentId: string | null;
  provider: string;
  day: string;
  inputTokens: number;
  outputTokens: number;
  cost: number;
}

export interface ReconciledDay {
  provider: string;
  day: string;
  inputTokens: number;
  outputTokens: number;
  cost: number;
}

export interface Spend {
  tokens: number;
  cost: number;
}

function ratio(reconciled: number, estimated: number): number {
  return estimated > 0 ? reconciled / estimated : 0;
}

/** Spend per department key (null = unattributed) with reconciled provider-days substituted. */
export function spendWithReconciled(
  estimates: readonly ScopedUsage[],
  reconciled: readonly ReconciledDay[],
): Map<string | null, Spend> {
  const recon = new Map<string, ReconciledDay>();
  for (const r of reconciled) {
    const key = `${r.provider}|${r.day}`;
    const prev = recon.get(key);
    recon.set(
      key,
      prev
        ? {
            ...prev,
            inputTokens: prev.inputTokens + r.inputTokens,
            outputTokens: prev.outputTokens + r.outputTokens,
            cost: prev.cost + r.cost,
          }
        : { ...r },
    );
  }
  const estimatedTotals = new Map<string, ScopedUsage>();
  for (const e of estimates) {
    const key = `${e.provider}|${e.day}`;
    const t = estimatedTotals.get(key) ?? { ...e, inputTokens: 0, outputTokens: 0, cost: 0 };
    t.inputTokens += e.inputTokens;
    t.outputTokens += e.outputTokens;
    t.cost += e.cost;
    estimatedTotals.set(key, t);
  }
  const out = new Map<string | null, Spend>();
  const add = (dept: string | null, tokens: number, cost: number) => {
    const s = out.get(dept) ?? { tokens: 0, cost: 0 };
    s.tokens += tokens;
    s.cost += cost;
    out.set(dept, s);
  };
  for (const e of estimates) {
    const key = `${e.provider}|${e.day}`;
    const r = recon.get(key);
    const total = estimatedTotals.get(key);
    if (!r || !total) {
      add(e.departmentId, e.inputTokens + e.outputTokens, e.cost);
      continue;
    }
    const tokens =
      e.inputTokens * ratio(r.inputTokens, total.inputTokens) +
      e.outputTokens * ratio(r.outputTokens, total.outputTokens);
    add(e.departmentId, tokens, e.cost * ratio(r.cost, total.cost));
  }
  for (const [key, r] of recon) {
    const total = estimatedTotals.get(key);
    // Whatever the estimates could not carry (none for that direction) stays with the org.
    const inLeft = total && total.inputTokens > 0 ? 0 : r.inputTokens;
    const outLeft = total && total.outputTokens > 0 ? 0 : r.outputTokens;
    const costLeft = total && total.cost > 0 ? 0 : r.cost;
    if (inLeft + outLeft + costLeft > 0) add(null, inLeft + outLeft, costLeft);
  }
  return out;
}
