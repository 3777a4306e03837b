import { describe, expect, it } from 'vitest';
import { seriesGroupLimit } from './compile.js';
import { planQuery } from './plan.js';
import { heatmapValue, shapeResults } from './results.js';
import { parseQuerySpec } from './spec.js';

const T0 = Date.UTC(2026, 10, 20, 10) / 1000;
const plan = (spec: object) =>
  planQuery({ spec: parseQuerySpec({ start_time: T0, end_time: T0 + 3600, ...spec }), datasetIds: ['d'], columns: new Map([['x', 'float'], ['k', 'string']]), nowSeconds: T0 });

describe('shapeResults', () => {
  it('fills every bucket of every group and derives rates', () => {
    const p = plan({ breakdowns: ['k'], granularity: 1200, calculations: [{ op: 'COUNT' }, { op: 'RATE_MAX', column: 'x' }, { op: 'AVG', column: 'x' }] });
    const t = (i: number) => (T0 + i * 1200) * 1e6;
    const data = shapeResults(
      p,
      [{ g0: 'a', c0: 6, c1: 9, c2: 2 }, { g0: null, c0: 1, c1: 1, c2: 1 }],
      [
        { g0: 'a', t: t(0), c0: 2, c1: 3, c2: 1 },
        { g0: 'a', t: t(1), c0: 1, c1: 7, c2: 2 },
        { g0: 'a', t: t(2), c0: 3, c1: 9, c2: 3 },
        { g0: null, t: t(1), c0: 1, c1: 1, c2: 1 },
      ],
    );
    // RATE_MAX: each bucket's MAX minus the previous bucket's (7 - 3, 9 - 7); the total is their
    // mean. Group null has one bucket with a value, so no difference, so null throughout.
    expect(data.results).toEqual([{ data: { k: 'a', COUNT: 6, 'RATE_MAX(x)': 3, 'AVG(x)': 2 } }, { data: { k: null, COUNT: 1, 'RATE_MAX(x)': null, 'AVG(x)': 1 } }]);
    expect(data.series.map((s) => [s.time.slice(11, 16), s.data.k, s.data.COUNT, s.data['RATE_MAX(x)'], s.data['AVG(x)']])).toEqual([
      ['10:00', 'a', 2, null, 1], ['10:00', null, 0, null, null],
      ['10:20', 'a', 1, 4, 2], ['10:20', null, 1, null, 1],
      ['10:40', 'a', 3, 2, 3], ['10:40', null, 0, null, null],
    ]);
  });

  it('leaves a rate null across a bucket with no value rather than spanning the gap', () => {
    const p = plan({ granularity: 1200, calculations: [{ op: 'RATE_SUM', column: 'x' }] });
    const t = (i: number) => (T0 + i * 1200) * 1e6;
    const data = shapeResults(p, [{ c0: 14 }], [{ t: t(0), c0: 4 }, { t: t(2), c0: 10 }]);
    expect(data.series.map((s) => s.data['RATE_SUM(x)'])).toEqual([null, null, null]);
    expect(data.results).toEqual([{ data: { 'RATE_SUM(x)': null } }]);
  });

  it('answers totals only without series', () => {
    const data = shapeResults(plan({}), [{ c0: 4 }], [], false);
    expect(data).toEqual({ series: [], results: [{ data: { COUNT: 4 } }] });
  });
});

describe('heatmapValue', () => {
  it('spreads weighted counts over equal buckets between the bounds', () => {
    const h = heatmapValue('0:3,39:2|10|50');
    expect(h.buckets).toHaveLength(40);
    expect(h.buckets[0]).toEqual({ lower: 10, upper: 11, count: 3 });
    expect(h.buckets[39]).toEqual({ lower: 49, upper: 50, count: 2 });
    expect(heatmapValue('0:7|5|5')).toEqual({ buckets: [{ lower: 5, upper: 5, count: 7 }] });
    expect(heatmapValue(null)).toEqual({ buckets: [] });
  });
});

describe('seriesGroupLimit', () => {
  it('keeps series under a million points', () => {
    expect(seriesGroupLimit(plan({ granularity: 1200 }))).toBe(250_000);
    expect(seriesGroupLimit(plan({ granularity: 4 }))).toBe(1109); // 1,000,000 / (900 + 1) buckets
  });
});
