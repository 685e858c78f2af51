import { describe, expect, it } from 'vitest';
import { type BudgetCheck, decidePreflight } from './decide.js';
import { spendWithReconciled } from './reconcile.js';

const check = (over: Partial<BudgetCheck>): BudgetCheck => ({
  budgetId: 'b',
  scopeName: 'Engineering',
  cap: 'hard',
  limit: 1000,
  spent: 0,
  reserved: 0,
  tokensPerUnit: 1,
  ...over,
});

describe('preflight decision', () => {
  it('no budget → allow, unbounded', () => {
    expect(decidePreflight({ checks: [] })).toMatchObject({
      allow: true,
      code: 'no_budget',
      remainingTokens: null,
    });
  });

  it('hard cap at any level denies; remaining is the tightest budget', () => {
    const d = decidePreflight({
      checks: [
        check({ budgetId: 'team', spent: 100 }),
        check({ budgetId: 'parent', scopeName: 'Eng', spent: 1000 }),
      ],
    });
    expect(d).toMatchObject({ allow: false, code: 'hard_cap', budgetId: 'parent', remainingTokens: 0 });
    expect(d.reason).toContain('Eng');
  });

  it('soft cap never denies, and says it is passed (issue 19: not "within budget")', () => {
    const d = decidePreflight({ checks: [check({ cap: 'soft', spent: 5000 })] });
    expect(d).toMatchObject({ allow: true, code: 'soft_cap', budgetId: 'b', remainingTokens: 0 });
    expect(d.reason).toBe('over the soft cap on the budget of Engineering (requests continue)');
    expect(decidePreflight({ checks: [check({ cap: 'soft', spent: 999 })] })).toMatchObject({
      code: 'ok',
      reason: 'within budget',
    });
  });

  it('reservations count against the remainder', () => {
    expect(decidePreflight({ checks: [check({ spent: 600, reserved: 400 })] }).allow).toBe(false);
    expect(decidePreflight({ checks: [check({ spent: 600, reserved: 399 })] })).toMatchObject({
      allow: true,
      remainingTokens: 1,
    });
  });

  it('exemptions: raise adds to the limit, lift removes the cap', () => {
    expect(
      decidePreflight({ checks: [check({ spent: 1000, exemption: { kind: 'raise', amount: 500 } })] }),
    ).toMatchObject({ allow: true, remainingTokens: 500 });
    expect(decidePreflight({ checks: [check({ spent: 9999, exemption: { kind: 'lift' } })] })).toMatchObject({
      allow: true,
      remainingTokens: null,
    });
  });

  it('money budgets convert the remainder to tokens', () => {
    expect(
      decidePreflight({ checks: [check({ limit: 10, spent: 4, tokensPerUnit: 1000 })] }).remainingTokens,
    ).toBe(6000);
  });

  it('a block wins over everything', () => {
    expect(decidePreflight({ block: { reason: 'policy X' }, checks: [] })).toMatchObject({
      allow: false,
      code: 'blocked',
      reason: 'LLM access blocked: policy X',
    });
  });
});

describe('reconciled usage replaces estimates per provider-day', () => {
  const e = (
    departmentId: string | null,
    provider: string,
    day: string,
    inputTokens: number,
    outputTokens: number,
  ) => ({ departmentId, provider, day, inputTokens, outputTokens, cost: inputTokens + outputTokens });
  it('hand-checked: reconciled day spread by estimated share; other days stay estimates', () => {
    const spend = spendWithReconciled(
      [
        e('a', 'openai', '2026-03-01', 100, 100),
        e('b', 'openai', '2026-03-01', 300, 100),
        e('a', 'openai', '2026-03-02', 50, 50),
      ],
      [{ provider: 'openai', day: '2026-03-01', inputTokens: 800, outputTokens: 400, cost: 1200 }],
    );
    // day 1: input ×2, output ×2 → a: 200+200, b: 600+200; day 2 estimate for a: 100.
    expect(spend.get('a')?.tokens).toBe(500);
    expect(spend.get('b')?.tokens).toBe(800);
  });

  it('reconciled usage with no estimate counts for the org only', () => {
    const spend = spendWithReconciled(
      [],
      [{ provider: 'anthropic', day: '2026-03-01', inputTokens: 10, outputTokens: 5, cost: 15 }],
    );
    expect(spend.get(null)).toEqual({ tokens: 15, cost: 15 });
  });
});
