import { describe, expect, it } from 'vitest';
import { benjaminiHochberg, countTest, quantileTest, twoProportionTest, twoSidedP } from './statistics.js';

describe('deploy report statistics', () => {
  it('computes normal tail probabilities', () => {
    expect(twoSidedP(1.959964)).toBeCloseTo(0.05, 6);
    expect(twoSidedP(0)).toBe(1);
    expect(twoSidedP(-2.575829)).toBeCloseTo(0.01, 6);
  });

  it('tests two proportions, and not when a cell expects fewer than 5 events', () => {
    const t = twoProportionTest(10, 1000, 30, 1000)!;
    expect(t.z).toBeCloseTo(0.02 / Math.sqrt(0.02 * 0.98 * 0.002), 9);
    expect(t.p).toBeCloseTo(0.0014, 4);
    expect(twoProportionTest(1, 100, 3, 100)).toBeUndefined();
  });

  it('tests equal-length windows of counts', () => {
    expect(countTest(100, 144)!.z).toBeCloseTo(44 / Math.sqrt(244), 9);
    expect(countTest(3, 4)).toBeUndefined();
  });

  it('adjusts p-values with Benjamini-Hochberg', () => {
    const adj = benjaminiHochberg([0.01, 0.04, 0.03, 0.005]);
    [0.02, 0.04, 0.04, 0.02].forEach((v, i) => expect(adj[i]).toBeCloseTo(v, 12));
  });

  it('finds a shifted quantile in histograms and nothing between equal ones', () => {
    const h = (pairs: [number, number][]) => new Map(pairs);
    const before = h([[30, 500], [31, 300], [32, 150], [33, 50]]);
    expect(quantileTest(before, 1, before, 1, 0.95)!.z).toBeCloseTo(0, 9);
    const slower = h([[30, 300], [31, 300], [32, 250], [33, 150]]);
    expect(quantileTest(before, 1, slower, 1, 0.95)!.z).toBeGreaterThan(5);
    expect(quantileTest(before, 1, slower, 1, 0.5)!.p).toBeLessThan(1e-6);
  });
});
