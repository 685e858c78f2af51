import { describe, expect, it } from 'vitest';
import { formatCompact, formatMoney, formatUsedOf } from './format.js';

describe('alert number formatting', () => {
  it('compacts token counts people read at a glance', () => {
    expect(formatCompact(21_901_132)).toBe('21.9M');
    expect(formatCompact(20_000_000)).toBe('20M');
    expect(formatCompact(539_750)).toBe('540k');
    expect(formatCompact(12_345)).toBe('12.3k');
    expect(formatCompact(9_999)).toBe('9,999');
    expect(formatCompact(1_250_000_000)).toBe('1.3B');
  });

  it('prints money with cents, and sub-cent amounts visibly', () => {
    expect(formatMoney(9.5)).toBe('$9.50');
    expect(formatMoney(0.15)).toBe('$0.15');
    expect(formatMoney(0.0042)).toBe('$0.0042');
    expect(formatUsedOf(9.5, 10, 'cost')).toBe('$9.50 of $10.00');
    expect(formatUsedOf(21_901_132, 20_000_000, 'tokens')).toBe('21.9M of 20M tokens');
  });
});
