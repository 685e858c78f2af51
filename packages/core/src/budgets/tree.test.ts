import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ancestorChain, childrenOf, rollUp, wouldCreateCycle } from './tree.js';

//   eng ─ backend ─ platform
//       └ frontend
//   sales
const tree = new Map<string, string | null>([
  ['eng', null],
  ['backend', 'eng'],
  ['platform', 'backend'],
  ['frontend', 'eng'],
  ['sales', null],
]);

describe('department tree', () => {
  it('ancestor chains', () => {
    expect(ancestorChain('platform', tree)).toEqual(['platform', 'backend', 'eng']);
    expect(ancestorChain('sales', tree)).toEqual(['sales']);
  });

  it('rolls usage up to every ancestor (hand-checked)', () => {
    const totals = rollUp(
      tree,
      new Map([
        ['platform', 10],
        ['backend', 5],
        ['frontend', 7],
        ['sales', 3],
        ['gone', 100],
      ]),
    );
    expect(Object.fromEntries(totals)).toEqual({ eng: 22, backend: 15, platform: 10, frontend: 7, sales: 3 });
  });

  it('detects cycles', () => {
    expect(wouldCreateCycle('eng', 'platform', tree)).toBe(true);
    expect(wouldCreateCycle('eng', 'eng', tree)).toBe(true);
    expect(wouldCreateCycle('platform', 'sales', tree)).toBe(false);
    expect(wouldCreateCycle('backend', null, tree)).toBe(false);
  });

  it('survives a corrupt cyclic map', () => {
    const bad = new Map<string, string | null>([
      ['a', 'b'],
      ['b', 'a'],
    ]);
    expect(ancestorChain('a', bad)).toEqual(['a', 'b']);
  });

  it('lists children with roots under null', () => {
    expect(childrenOf(tree).get(null)).toEqual(['eng', 'sales']);
    expect(childrenOf(tree).get('eng')).toEqual(['backend', 'frontend']);
  });

  it('property: a node total = own + sum of children totals; roots sum to the grand total', () => {
    const arb = fc.array(fc.tuple(fc.nat(30), fc.nat(1000)), { minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(arb, (nodes) => {
        // node i's parent is some j < i (or none): always a forest.
        const parentOf = new Map<string, string | null>();
        const own = new Map<string, number>();
        nodes.forEach(([p, amount], i) => {
          parentOf.set(`n${i}`, i === 0 || p % (i + 1) === i ? null : `n${p % i}`);
          own.set(`n${i}`, amount);
        });
        const totals = rollUp(parentOf, own);
        const kids = childrenOf(parentOf);
        for (const id of parentOf.keys()) {
          const sumKids = (kids.get(id) ?? []).reduce((s, k) => s + (totals.get(k) ?? 0), 0);
          expect(totals.get(id)).toBe((own.get(id) ?? 0) + sumKids);
        }
        const roots = (kids.get(null) ?? []).reduce((s, r) => s + (totals.get(r) ?? 0), 0);
        expect(roots).toBe([...own.values()].reduce((a, b) => a + b, 0));
      }),
    );
  });
});
