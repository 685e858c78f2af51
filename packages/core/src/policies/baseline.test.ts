import { describe, expect, it } from 'vitest';
import { median, robustBaseline, robustZScore } from './baseline.js';

describe('robust baseline', () => {
  it('computes median and MAD on a hand-checked history', () => {
    // sorted: 1 2 3 4 100 → median 3; |dev|: 2 1 0 1 97 → sorted 0 1 1 2 97 → MAD 1
    expect(robustBaseline([100, 1, 3, 2, 4])).toEqual({ median: 3, mad: 1, meanAd: 101 / 5 });
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(robustZScore(13, [100, 1, 3, 2, 4])).toBeCloseTo(0.6745 * 10, 10);
  });

  it('is not moved by one past spike (unlike mean/σ)', () => {
    const history = [...Array.from({ length: 27 }, (_, i) => 1000 + (i % 5) * 10), 1_000_000];
    expect(robustZScore(5000, history)).toBeGreaterThan(100);
  });

  it('falls back to the mean absolute deviation when MAD is 0', () => {
    // 28 days: 20 idle, 8 at 1000 → median 0, MAD 0, meanAd 8000/28
    const history = [...Array(20).fill(0), ...Array(8).fill(1000)];
    expect(robustZScore(2000, history)).toBeCloseTo(2000 / (1.2533 * (8000 / 28)), 10);
  });

  it('is infinite for any usage after an all-idle history and 0 at the median', () => {
    expect(robustZScore(1, Array(28).fill(0))).toBe(Number.POSITIVE_INFINITY);
    expect(robustZScore(0, Array(28).fill(0))).toBe(0);
    expect(robustZScore(5, [])).toBe(Number.POSITIVE_INFINITY);
  });
});
