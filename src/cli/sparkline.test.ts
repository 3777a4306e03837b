import { describe, expect, it } from 'vitest';
import { sparkline } from './sparkline.js';

describe('sparkline', () => {
  it('scales from zero to the highest value', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([7, 7])).toBe('██');
    expect(sparkline([0, 0, 0])).toBe('▁▁▁');
  });
  it('leaves missing points blank', () => {
    expect(sparkline([null, 4, undefined, 8])).toBe(' ▅ █');
  });
  it('keeps the highest value of each run when there are more points than width', () => {
    const values = Array.from({ length: 100 }, (_, i) => (i === 57 ? 100 : 1));
    const line = sparkline(values, 10);
    expect(line).toHaveLength(10);
    expect(line[5]).toBe('█');
    expect(line.replace('█', '')).toBe('▁'.repeat(9));
  });
});
