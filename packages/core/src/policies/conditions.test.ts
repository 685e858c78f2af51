import { describe, expect, it } from 'vitest';
import {
  type ConditionLeaf,
  type ConditionNode,
  checkConditions,
  evaluateConditions,
  type PolicySubject,
  RISK_LEVELS,
} from './conditions.js';

const engineeringHigh: PolicySubject = {
  risk_level: 'high',
  user_id: 'u1',
  department_id: 'backend',
  department_path: ['backend', 'engineering'],
  tokens: 12_000,
  hour_of_day: 23,
  model: 'gpt-4o',
  provider: 'openai',
};

describe('evaluateConditions: hand-checked cases', () => {
  it('matches the product page example (high risk AND engineering, subtree)', () => {
    const tree: ConditionNode = {
      all: [
        { field: 'risk_level', op: 'eq', value: 'high' },
        { field: 'department_id', op: 'within', value: 'engineering' },
      ],
    };
    expect(evaluateConditions(tree, engineeringHigh)).toBe(true);
    expect(evaluateConditions(tree, { ...engineeringHigh, risk_level: 'medium' })).toBe(false);
    expect(evaluateConditions(tree, { ...engineeringHigh, department_path: ['sales'] })).toBe(false);
  });

  it('nests OR inside AND inside OR', () => {
    // (tokens > 10k AND (model = gpt-4o OR provider = anthropic)) OR user = u9
    const tree: ConditionNode = {
      any: [
        {
          all: [
            { field: 'tokens', op: 'gt', value: 10_000 },
            {
              any: [
                { field: 'model', op: 'eq', value: 'gpt-4o' },
                { field: 'provider', op: 'eq', value: 'anthropic' },
              ],
            },
          ],
        },
        { field: 'user_id', op: 'eq', value: 'u9' },
      ],
    };
    expect(evaluateConditions(tree, engineeringHigh)).toBe(true);
    expect(evaluateConditions(tree, { ...engineeringHigh, model: 'o1' })).toBe(false);
    expect(evaluateConditions(tree, { ...engineeringHigh, model: 'o1', provider: 'anthropic' })).toBe(true);
    expect(evaluateConditions(tree, { ...engineeringHigh, tokens: 10_000 })).toBe(false);
    expect(evaluateConditions(tree, { tokens: 1, user_id: 'u9' })).toBe(true);
  });

  it('orders risk levels by rank', () => {
    const gteHigh: ConditionLeaf = { field: 'risk_level', op: 'gte', value: 'high' };
    expect(RISK_LEVELS.map((risk_level) => evaluateConditions(gteHigh, { risk_level }))).toEqual([
      false,
      false,
      true,
      true,
    ]);
  });

  it('wraps hour_of_day windows past midnight', () => {
    const night: ConditionLeaf = { field: 'hour_of_day', op: 'between', value: [22, 6] };
    const hours = Array.from({ length: 24 }, (_, h) => evaluateConditions(night, { hour_of_day: h }));
    expect(hours.map((v, h) => (v ? h : -1)).filter((h) => h >= 0)).toEqual([0, 1, 2, 3, 4, 5, 22, 23]);
    const office: ConditionLeaf = { field: 'hour_of_day', op: 'between', value: [9, 17] };
    expect(evaluateConditions(office, { hour_of_day: 9 })).toBe(true);
    expect(evaluateConditions(office, { hour_of_day: 17 })).toBe(false);
  });

  it('treats a missing field as no match, even for neq / not_in', () => {
    expect(evaluateConditions({ field: 'model', op: 'neq', value: 'x' }, {})).toBe(false);
    expect(evaluateConditions({ field: 'model', op: 'not_in', value: ['x'] }, {})).toBe(false);
    expect(evaluateConditions({ field: 'model', op: 'not_in', value: ['x'] }, { model: 'y' })).toBe(true);
  });

  it('uses the AND/OR identities for empty groups and a missing tree', () => {
    expect(evaluateConditions({ all: [] }, {})).toBe(true);
    expect(evaluateConditions({ any: [] }, {})).toBe(false);
    expect(evaluateConditions(null, {})).toBe(true);
  });

  it('rejects malformed trees with a path', () => {
    expect(checkConditions({ field: 'user_id', op: 'gt', value: 'x' })).toEqual([
      'conditions: user_id does not support "gt"',
    ]);
    expect(checkConditions({ all: [{ any: [{ field: 'tokens', op: 'gt', value: 'many' }] }] })).toEqual([
      'conditions.all[0].any[0]: tokens compares with numbers',
    ]);
    expect(checkConditions({ field: 'risk_level', op: 'in', value: ['severe'] })[0]).toMatch(
      /risk_level is one of/,
    );
    let deep: ConditionNode = { field: 'tokens', op: 'gt', value: 1 };
    for (let i = 0; i < 10; i++) deep = { all: [deep] };
    expect(checkConditions(deep)[0]).toMatch(/nest at most/);
  });
});

// A deterministic PRNG so a failing case reproduces (mulberry32).
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The reference: every leaf's truth by an independent table, then the tree as a JS expression. */
function referenceLeaf(leaf: ConditionLeaf, s: PolicySubject): boolean {
  const v = s[leaf.field as keyof PolicySubject];
  if (v === undefined) return false;
  const rank = (x: unknown) =>
    leaf.field === 'risk_level' ? RISK_LEVELS.indexOf(x as never) : (x as number);
  const want = leaf.value;
  if (leaf.op === 'within') return (s.department_path ?? []).includes(want as string);
  if (leaf.op === 'in') return (want as unknown[]).includes(v);
  if (leaf.op === 'not_in') return !(want as unknown[]).includes(v);
  if (leaf.op === 'eq') return v === want;
  if (leaf.op === 'neq') return v !== want;
  if (leaf.op === 'between') {
    const [a, b] = want as number[];
    const x = v as number;
    if (leaf.field === 'hour_of_day') return a! <= b! ? a! <= x && x < b! : !(b! <= x && x < a!);
    return a! <= x && x <= b!;
  }
  const d = rank(v) - rank(want);
  return { gt: d > 0, gte: d >= 0, lt: d < 0, lte: d <= 0 }[leaf.op as 'gt'] ?? false;
}

function toExpression(node: ConditionNode, s: PolicySubject): string {
  if ('all' in node)
    return node.all.length ? `(${node.all.map((c) => toExpression(c, s)).join(' && ')})` : 'true';
  if ('any' in node)
    return node.any.length ? `(${node.any.map((c) => toExpression(c, s)).join(' || ')})` : 'false';
  return String(referenceLeaf(node, s));
}

function randomLeaf(r: () => number): ConditionLeaf {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  switch (pick(['risk', 'dept', 'tokens', 'hour', 'model'] as const)) {
    case 'risk':
      return {
        field: 'risk_level',
        op: pick(['eq', 'neq', 'gt', 'gte', 'lt', 'lte'] as const),
        value: pick(RISK_LEVELS),
      };
    case 'dept':
      return r() < 0.5
        ? { field: 'department_id', op: 'within', value: pick(['a', 'b', 'c']) }
        : { field: 'department_id', op: pick(['in', 'not_in'] as const), value: ['a', 'c'] };
    case 'tokens':
      return r() < 0.3
        ? { field: 'tokens', op: 'between', value: [Math.floor(r() * 50), Math.floor(r() * 100)] }
        : {
            field: 'tokens',
            op: pick(['eq', 'neq', 'gt', 'gte', 'lt', 'lte'] as const),
            value: Math.floor(r() * 100),
          };
    case 'hour':
      return { field: 'hour_of_day', op: 'between', value: [Math.floor(r() * 24), Math.floor(r() * 24)] };
    case 'model':
      return { field: 'model', op: pick(['eq', 'neq'] as const), value: pick(['m1', 'm2']) };
  }
}

function randomTree(r: () => number, depth: number): ConditionNode {
  if (depth === 0 || r() < 0.35) return randomLeaf(r);
  const children = Array.from({ length: Math.floor(r() * 4) }, () => randomTree(r, depth - 1));
  return r() < 0.5 ? { all: children } : { any: children };
}

function randomSubject(r: () => number): PolicySubject {
  const s: PolicySubject = {};
  if (r() < 0.9) s.risk_level = RISK_LEVELS[Math.floor(r() * 4)];
  if (r() < 0.9) {
    const path = [['c', 'a'], ['b'], ['a']][Math.floor(r() * 3)] as string[];
    s.department_id = path[0];
    s.department_path = path;
  }
  if (r() < 0.9) s.tokens = Math.floor(r() * 100);
  if (r() < 0.9) s.hour_of_day = Math.floor(r() * 24);
  if (r() < 0.9) s.model = r() < 0.5 ? 'm1' : 'm2';
  return s;
}

describe('evaluateConditions: randomized against a reference evaluator', () => {
  it('agrees on 5,000 random trees and subjects', () => {
    const r = rng(20261121);
    for (let i = 0; i < 5000; i++) {
      const tree = randomTree(r, 4);
      const subject = randomSubject(r);
      expect(checkConditions(tree)).toEqual([]);
      // biome-ignore lint/security/noGlobalEval: the reference evaluates a boolean-literal expression
      const expected = eval(toExpression(tree, subject)) as boolean;
      if (evaluateConditions(tree, subject) !== expected) {
        throw new Error(`mismatch on case ${i}: ${JSON.stringify({ tree, subject, expected })}`);
      }
    }
  });
});
