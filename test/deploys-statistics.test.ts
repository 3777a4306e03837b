// Deploy reports' statistics on generated traffic, computed in memory (the numbers the query
// engine would answer): an injected regression in two endpoints and three customers is found,
// a rolling deploy's bad build is told from the good one, and over many clean deploys of noisy
// traffic at most 5% report anything as worse (the many tests of a report are corrected together).
import { describe, expect, it } from 'vitest';
import { findings, type Comparison } from '../src/deploys/compare.js';
import { seededRandom } from './support/random.js';
import { aggregate, requests, topCustomers, type Regression, type Request } from './support/deploy-traffic.js';

const WINDOW_S = 900;
const ALPHA = 0.05;

function report(before: Request[], after: Request[], week: Request[]) {
  const top = topCustomers([...before, ...after]);
  const comparisons: Comparison[] = [];
  for (const [kind, field, keep] of [['endpoint', 'endpoint', undefined], ['customer', 'customer_id', top]] as const) {
    const a = aggregate(after, field, WINDOW_S, keep);
    comparisons.push({ dataset: 'shop', kind, against: 'before', base: aggregate(before, field, WINDOW_S, keep), after: a });
    comparisons.push({ dataset: 'shop', kind, against: 'week_before', base: aggregate(week, field, WINDOW_S, keep), after: a });
  }
  return findings(comparisons, ALPHA);
}

const REGRESSION: Regression = {
  endpoints: { '/pay': { errorRate: 0.08 }, '/search': { slower: 1.6 } },
  customers: { c02: { errorRate: 0.1 }, c04: { slower: 1.8 }, c07: { errorRate: 0.12 } },
};

describe('deploy report statistics', () => {
  it('finds a regression injected into two endpoints and three customers', () => {
    for (const seed of [1, 2, 3]) {
      const r = seededRandom(seed);
      const { findings: found, tests } = report(requests(r, 30_000), requests(r, 30_000, 'b2', REGRESSION), requests(r, 30_000));
      const worse = (kind: string) => new Set(found.filter((f) => f.verdict === 'worse' && f.kind === kind && f.against === 'before').map((f) => f.key));
      expect(tests).toBeGreaterThan(200);
      expect([...worse('endpoint')].sort(), `seed ${seed}`).toEqual(expect.arrayContaining(['/pay', '/search']));
      expect([...worse('customer')], `seed ${seed}`).toEqual(expect.arrayContaining(['c02', 'c04', 'c07']));
      const pay = found.find((f) => f.key === '/pay' && f.metric === 'error_rate' && f.against === 'before')!;
      expect(pay.after - pay.before).toBeGreaterThan(0.05);
      expect(pay.p_value).toBeLessThan(ALPHA);
      const search = found.find((f) => f.key === '/search' && f.metric === 'p50' && f.against === 'before')!;
      expect(search.change).toBeGreaterThan(0.3);
      // The same regression shows against the week before.
      expect(found.some((f) => f.key === '/pay' && f.against === 'week_before' && f.verdict === 'worse')).toBe(true);
    }
  });

  it("tells a rolling deploy's bad build from the good one running beside it", () => {
    const r = seededRandom(7);
    const after = [...requests(r, 10_000, 'old'), ...requests(r, 10_000, 'new', { endpoints: { '/cart': { errorRate: 0.05 }, '/items': { errorRate: 0.05 } } })];
    const byBuild = aggregate(after, 'build_id', WINDOW_S);
    const { findings: found } = findings([{ dataset: 'shop', kind: 'build', against: 'other_builds', base: byBuild, after: byBuild, key: 'new', baseKey: 'old' }], ALPHA);
    expect(found.map((f) => [f.kind, f.key, f.metric, f.verdict, f.baseline])).toEqual([['build', 'new', 'error_rate', 'worse', 'old']]);
  });

  it('reports nothing as worse for at least 95% of clean deploys over noisy traffic', () => {
    const seeds = 150;
    let reported = 0;
    let tests = 0;
    for (let seed = 1000; seed < 1000 + seeds; seed++) {
      const r = seededRandom(seed);
      const out = report(requests(r, 6_000), requests(r, 6_000), requests(r, 6_000));
      tests += out.tests;
      if (out.findings.some((f) => f.verdict === 'worse')) reported++;
    }
    console.log(`clean deploys: ${reported} of ${seeds} reported a finding as worse (${tests} tests in all)`);
    expect(tests / seeds).toBeGreaterThan(150);
    expect(reported / seeds).toBeLessThanOrEqual(0.05);
  });
});
