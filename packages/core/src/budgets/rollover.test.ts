import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rolloverAmount } from './rollover.js';

describe('rollover = min(unused, cap% × limit)', () => {
  it.each([
    // limit, rolled in, spent, cap%, expected
    [1000, 0, 400, 50, 500], // unused 600, cap 500
    [1000, 0, 800, 50, 200], // unused 200 < cap
    [1000, 0, 1200, 50, 0], // overspent
    [1000, 300, 1000, 50, 300], // unused counts what rolled in
    [1000, 300, 0, 50, 500], // but never more than cap% of the base limit
    [1000, 0, 0, 0, 0], // no rollover configured
    [999, 0, 0, 33, 329], // floor(329.67)
  ])('limit %i + in %i, spent %i, cap %i%% → %i', (limit, rolloverIn, spent, capPct, expected) => {
    expect(rolloverAmount({ limit, rolloverIn, spent, capPct })).toBe(expected);
  });

  it('null cap means no rollover', () => {
    expect(rolloverAmount({ limit: 10, rolloverIn: 0, spent: 0, capPct: null })).toBe(0);
  });

  it('property: 0 ≤ rollover ≤ unused and ≤ cap% × limit; equal to one of them', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e9 }),
        fc.integer({ min: 0, max: 1e9 }),
        fc.integer({ min: 0, max: 3e9 }),
        fc.integer({ min: 0, max: 100 }),
        (limit, rolloverIn, spent, capPct) => {
          const r = rolloverAmount({ limit, rolloverIn, spent, capPct });
          const unused = Math.max(0, limit + rolloverIn - spent);
          const cap = Math.floor((capPct * limit) / 100);
          expect(r).toBeGreaterThanOrEqual(0);
          expect(r).toBeLessThanOrEqual(unused);
          expect(r).toBeLessThanOrEqual(cap);
          expect(r === unused || r === cap).toBe(true);
        },
      ),
    );
  });

  it('property: repeated rollovers never compound past cap% of the limit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e6 }),
        fc.integer({ min: 0, max: 100 }),
        fc.array(fc.nat(2e6), { maxLength: 24 }),
        (limit, capPct, spends) => {
          let rolloverIn = 0;
          for (const spent of spends) {
            rolloverIn = rolloverAmount({ limit, rolloverIn, spent, capPct });
            expect(rolloverIn).toBeLessThanOrEqual((capPct * limit) / 100);
          }
        },
      ),
    );
  });
});
