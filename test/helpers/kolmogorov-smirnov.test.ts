import { describe, expect, it } from 'vitest';
import { kolmogorovSmirnov } from './kolmogorov-smirnov.ts';

// Two samples of 25 with SciPy's answers for them: ks_2samp gives D = 0.24 and p = 0.475 (exact); with Stephens' correction
// the Kolmogorov tail is scipy.stats.kstwobign.sf((√12.5 + 0.12 + 0.11/√12.5) · 0.24) = 0.4140630.
const A = [0.61, 0.29, 0.06, 0.59, -1.73, -0.74, 0.51, -0.56, 0.39, 1.64, 0.05, -0.06, 0.64, -0.82, 0.37, 1.77, 1.09, -1.28, 2.36, 1.31, 1.05, -0.32, -0.4, 1.06, -2.47];
const B = [2.2, 1.66, 1.38, 0.2, 0.36, 0, 0.96, 1.56, 0.44, 1.5, -0.3, 0.66, 2.31, 3.29, -0.27, -0.37, 0.38, 0.7, 0.52, -0.72, 0.26, 1.1, 2.45, 1.87, 0.6];

/** A seeded uniform generator (mulberry32), so the samples below are the same on every run. */
function uniform(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('kolmogorovSmirnov', () => {
  it('finds SciPy’s statistic and tail, a little below the exact p-value (the approximation errs towards "different")', () => {
    const { statistic, pValue } = kolmogorovSmirnov(A, B);
    expect(statistic).toBeCloseTo(0.24, 10);
    expect(pValue).toBeCloseTo(0.414063, 5);
    expect(pValue).toBeLessThan(0.475);
    expect(kolmogorovSmirnov(B, A)).toEqual({ statistic, pValue });
  });

  it('sees nothing between a sample and itself, or between ties', () => {
    expect(kolmogorovSmirnov(A, A)).toEqual({ statistic: 0, pValue: 1 });
    expect(kolmogorovSmirnov([1, 1, 1, 2], [1, 2, 1, 1])).toEqual({ statistic: 0, pValue: 1 });
  });

  it('tells samples of one distribution apart from a shifted one', () => {
    const random = uniform(7);
    const draw = (shift: number) => Array.from({ length: 300 }, () => random() + shift);
    const same = kolmogorovSmirnov(draw(0), draw(0));
    expect(same.pValue).toBeGreaterThan(0.01);
    const shifted = kolmogorovSmirnov(draw(0), draw(0.2));
    expect(shifted.statistic).toBeGreaterThan(0.15);
    expect(shifted.pValue).toBeLessThan(1e-4);
    expect(kolmogorovSmirnov([1, 2, 3], [4, 5, 6]).statistic).toBe(1);
  });

  it('refuses an empty sample', () => {
    expect(() => kolmogorovSmirnov([], [1])).toThrow(/at least one/);
  });
});
