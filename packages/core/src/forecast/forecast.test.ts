import { describe, expect, it } from 'vitest';
import { addDaysUtc, type DailyValue, forecastDaily } from './forecast.js';
import { classifyTrend } from './trend.js';

/** Deterministic noise (mulberry32), so every run sees the same series. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Weekdays busy, weekends quiet: a strong weekly pattern (index 0 = 2026-05-04, a Monday).
const WEEKLY = [1.15, 1.2, 1.2, 1.15, 1.05, 0.6, 0.65];

function series(trend: (t: number) => number, seed = 1, noise = 0.04, days = 90): DailyValue[] {
  const random = rng(seed);
  return Array.from({ length: days }, (_, t) => ({
    date: addDaysUtc('2026-05-04', t),
    value: Math.max(0, trend(t) * (WEEKLY[t % 7] ?? 1) * (1 + noise * (random() * 2 - 1))),
  }));
}

const SHAPES = {
  Steady: (t: number) => 10_000 + 60 * t,
  Accelerating: (t: number) => 10_000 + 2.5 * t * t,
  Decelerating: (t: number) => 10_000 + 16_000 * (1 - Math.exp(-t / 45)),
  Declining: (t: number) => 20_000 - 150 * t,
} as const;

describe('forecastDaily', () => {
  for (const [expected, shape] of Object.entries(SHAPES)) {
    for (const seed of [1, 2, 3]) {
      it(`classifies a ${expected.toLowerCase()} series (seed ${seed}) and beats the naive baseline`, () => {
        const forecast = forecastDaily(series(shape, seed), 30);
        expect(forecast.trend).toBe(expected);
        expect(forecast.backtest.holdout_days).toBe(28);
        expect(forecast.backtest.mape).not.toBeNull();
        expect(forecast.backtest.mape as number).toBeLessThan(forecast.backtest.naive_mape as number);
      });
    }
  }

  it('projects a linear trend with its weekly pattern and intervals that widen with the horizon', () => {
    const forecast = forecastDaily(series(SHAPES.Steady, 7, 0.01), 90);
    expect(forecast.points).toHaveLength(90);
    expect(forecast.points[0]?.date).toBe('2026-08-02');
    // Day 90 after the start is t = 90: 10 000 + 60·90 = 15 400 before the weekly factor.
    const first = forecast.points[0];
    const truth = SHAPES.Steady(90) * (WEEKLY[90 % 7] ?? 1);
    expect(Math.abs((first?.value ?? 0) - truth) / truth).toBeLessThan(0.05);
    const width = (i: number) => (forecast.points[i]?.upper_95 ?? 0) - (forecast.points[i]?.lower_95 ?? 0);
    expect(width(89)).toBeGreaterThan(width(0));
    for (const p of forecast.points) {
      expect(p.lower_95).toBeLessThanOrEqual(p.lower_80);
      expect(p.lower_80).toBeLessThanOrEqual(p.value);
      expect(p.value).toBeLessThanOrEqual(p.upper_80);
      expect(p.upper_80).toBeLessThanOrEqual(p.upper_95);
    }
  });

  it('never forecasts below zero', () => {
    const forecast = forecastDaily(
      series((t) => 9_000 - 100 * t, 4),
      90,
    );
    expect(forecast.trend).toBe('Declining');
    expect(Math.min(...forecast.points.map((p) => p.lower_95))).toBe(0);
  });

  it('refuses a history shorter than three weeks', () => {
    expect(() => forecastDaily(series(SHAPES.Steady, 1, 0.04, 20), 30)).toThrow(/at least 21 days/);
  });
});

describe('classifyTrend', () => {
  it('calls a flat series steady and reports growth as a share of the weekly level', () => {
    const flat = classifyTrend(Array.from({ length: 84 }, () => 100));
    expect(flat).toEqual({ trend: 'Steady', baseline_weekly_growth: 0, recent_weekly_growth: 0 });
  });
});
