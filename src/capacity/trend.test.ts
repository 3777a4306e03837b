import { describe, expect, it } from 'vitest';
import { dailyPeaks, leastSquares, planLimits, reachesAt } from './trend.js';

const DAY = 86_400_000;

describe('headroom arithmetic', () => {
  it('fits the slope of daily peaks, each day its highest hour', () => {
    const hours = [0, 1, 2, 3].flatMap((d) => [{ atMs: d * DAY + 3_600_000, peak: 1 }, { atMs: d * DAY + 12 * 3_600_000, peak: 10 + 2 * d }]);
    const days = dailyPeaks(hours);
    expect(days.map((d) => d.value)).toEqual([10, 12, 14, 16]);
    expect(leastSquares(days)!.slope_per_day).toBeCloseTo(2, 12);
    expect(leastSquares(days.slice(0, 1))).toBeUndefined();
  });

  it('says when a growing peak reaches a limit: now when already there, never when flat', () => {
    expect(reachesAt(4, 1, 10, 0)).toBe(6 * DAY);
    expect(reachesAt(12, 1, 10, 5)).toBe(5);
    expect(reachesAt(4, 0, 10, 0)).toBeNull();
    expect(reachesAt(4, undefined, 10, 0)).toBeNull();
  });

  it('orders limits by how much of them the planned load uses', () => {
    const plan = planLimits([{ name: 'a', limit: 10, expected: 4 }, { name: 'b', limit: 3, expected: 2 }, { name: 'c', limit: 5, expected: 0 }], 2);
    expect(plan.map((p) => [p.name, p.projected, p.breaks, p.breaks_at_multiplier])).toEqual([['b', 4, true, 1.5], ['a', 8, false, 2.5], ['c', 0, false, null]]);
  });
});
