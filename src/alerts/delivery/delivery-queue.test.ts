import { describe, expect, it } from 'vitest';
import { backoffMs } from './delivery-queue.js';

describe('backoff', () => {
  const s = { baseDelayMs: 1000, maxDelayMs: 8000 };
  it('doubles from the base up to the cap', () => {
    expect([1, 2, 3, 4, 5, 9].map((n) => backoffMs(n, s, () => 0.5))).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
  });
  it('spreads retries by ±20% so receivers are not hit in step', () => {
    expect(backoffMs(2, s, () => 0)).toBe(1600);
    expect(backoffMs(2, s, () => 1)).toBe(2400);
  });
});
