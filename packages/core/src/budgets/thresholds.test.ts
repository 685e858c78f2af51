import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeThresholds, thresholdAmount, thresholdsToFire } from './thresholds.js';

describe('thresholds', () => {
  it('always watches 100% and sorts, dedupes', () => {
    expect(normalizeThresholds([95, 80, 80])).toEqual([80, 95, 100]);
  });

  it('hand-checked crossings', () => {
    expect(thresholdAmount(1000, 80)).toBe(800);
    expect(thresholdAmount(5, 80)).toBe(4);
    expect(thresholdAmount(3, 33)).toBe(1); // 0.99 → 1
    expect(thresholdsToFire({ limit: 1000, spent: 799, thresholds: [80, 95], fired: [] })).toEqual([]);
    expect(thresholdsToFire({ limit: 1000, spent: 800, thresholds: [80, 95], fired: [] })).toEqual([80]);
    expect(thresholdsToFire({ limit: 1000, spent: 960, thresholds: [80, 95], fired: [80] })).toEqual([95]);
    expect(thresholdsToFire({ limit: 1000, spent: 5000, thresholds: [80, 95], fired: [] })).toEqual([
      80, 95, 100,
    ]);
    expect(
      thresholdsToFire({ limit: 1000, spent: 5000, thresholds: [80, 95], fired: [80, 95, 100] }),
    ).toEqual([]);
  });

  it('money thresholds are not rounded up to whole currency units (issue 19)', () => {
    const money = (limit: number, spent: number, thresholds: number[]) =>
      thresholdsToFire({ limit, spent, thresholds, fired: [], unit: 'cost' });
    expect(thresholdAmount(10, 95, 'cost')).toBe(9.5);
    expect(money(10, 9.49, [80, 95])).toEqual([80]);
    expect(money(10, 9.5, [80, 95])).toEqual([80, 95]);
    expect(money(0.1, 0.1, [150])).toEqual([100]);
    expect(money(0.1, 0.149999, [150])).toEqual([100]);
    expect(money(0.1, 0.15, [150])).toEqual([100, 150]);
    // Float sums of many small costs land within a micro-unit of the threshold.
    expect(money(0.3, 0.1 + 0.2, [])).toEqual([100]);
    // Tokens stay whole.
    expect(thresholdsToFire({ limit: 10, spent: 9, thresholds: [95], fired: [] })).toEqual([]);
  });

  it('property: feeding any sequence of increments fires each threshold exactly once, in order, when reached', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e6 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 150 }), { maxLength: 5 }),
        fc.array(fc.nat(200_000), { maxLength: 60 }),
        (limit, thresholds, increments) => {
          const fired: number[] = [];
          let spent = 0;
          for (const inc of increments) {
            spent += inc;
            const now = thresholdsToFire({ limit, spent, thresholds, fired });
            for (const t of now) expect(spent).toBeGreaterThanOrEqual((limit * t) / 100 - 1e-6);
            fired.push(...now);
          }
          expect(new Set(fired).size).toBe(fired.length);
          const reached = normalizeThresholds(thresholds).filter((t) => spent >= thresholdAmount(limit, t));
          expect([...fired].sort((a, b) => a - b)).toEqual(reached);
        },
      ),
    );
  });
});
