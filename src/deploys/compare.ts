// From the numbers of each window to a report's findings: every group (endpoint, customer,
// build) and metric is tested, the p-values are corrected together (Benjamini-Hochberg), and
// only what is significant and large enough to matter is kept. Pure: the report reads the
// numbers through the query engine (window-stats.ts) and tests feed generated ones.
import { benjaminiHochberg, countTest, quantileTest, twoProportionTest, type Histogram, type TestResult } from './statistics.js';

export type Kind = 'endpoint' | 'customer' | 'build';
export type Metric = 'error_rate' | 'p50' | 'p95' | 'p99' | 'throughput';
/** What the after window is compared with: the window before, the same window a week earlier, the other build running at the same time. */
export type Against = 'before' | 'week_before' | 'other_builds';

/** One group's events in one window (counts weighted by sample rate). */
export interface GroupStats {
  count: number;
  errors: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** Empty when the dataset has no latency field. */
  hist: Histogram;
}

export interface WindowStats {
  seconds: number;
  /** Stored events per weighted event: sampled events count once in the tests. */
  scale: number;
  groups: Map<string, GroupStats>;
}

export interface Comparison {
  dataset: string;
  kind: Kind;
  against: Against;
  base: WindowStats;
  after: WindowStats;
  /** For builds: the new build, compared with `baseKey` in the same window. */
  key?: string;
  baseKey?: string;
}

export interface Finding {
  kind: Kind;
  key: string;
  metric: Metric;
  before: number;
  after: number;
  /** after - before for error_rate; after / before - 1 for the others. */
  change: number;
  /** Benjamini-Hochberg adjusted p-value (the raw one is `p_raw`). */
  p_value: number;
  verdict: 'worse' | 'better';
  against: Against;
  dataset: string;
  p_raw: number;
  /** For builds: the build it was compared with. */
  baseline?: string;
}

/** Changes too small to matter are not findings, however certain (a huge group makes anything significant). */
export const MIN_CHANGE = { error_rate: 0.001, latency: 0.05, throughput: 0.1 } as const;
export const QUANTILES = { p50: 0.5, p95: 0.95, p99: 0.99 } as const;

interface Candidate extends Omit<Finding, 'p_value' | 'verdict' | 'p_raw'> {
  test: TestResult;
  /** A higher value is worse (latency, errors) or better (throughput). */
  higherIsWorse: boolean;
}

function candidates(c: Comparison): Candidate[] {
  const out: Candidate[] = [];
  const pairs: [string, GroupStats | undefined, GroupStats | undefined][] = c.kind === 'build'
    ? [[c.key!, c.base.groups.get(c.baseKey!), c.after.groups.get(c.key!)]]
    : [...new Set([...c.base.groups.keys(), ...c.after.groups.keys()])].map((k) => [k, c.base.groups.get(k), c.after.groups.get(k)]);
  const common = { dataset: c.dataset, kind: c.kind, against: c.against, ...(c.baseKey ? { baseline: c.baseKey } : {}) };
  for (const [key, b, a] of pairs) {
    // Throughput: builds share the window's traffic between them, so only the other comparisons have it.
    if (c.kind !== 'build') {
      const nb = (b?.count ?? 0) * c.base.scale;
      const na = (a?.count ?? 0) * c.after.scale;
      const test = countTest(nb, na);
      const before = (b?.count ?? 0) / c.base.seconds;
      const after = (a?.count ?? 0) / c.after.seconds;
      if (test && before > 0) out.push({ ...common, key, metric: 'throughput', before, after, change: after / before - 1, test, higherIsWorse: false });
    }
    if (!a || !b || a.count <= 0 || b.count <= 0) continue;
    const test = twoProportionTest(b.errors * c.base.scale, b.count * c.base.scale, a.errors * c.after.scale, a.count * c.after.scale);
    const [before, after] = [b.errors / b.count, a.errors / a.count];
    if (test) out.push({ ...common, key, metric: 'error_rate', before, after, change: after - before, test, higherIsWorse: true });
    for (const [metric, q] of Object.entries(QUANTILES) as [Metric & keyof typeof QUANTILES, number][]) {
      const [pb, pa] = [b[metric], a[metric]];
      if (pb === null || pa === null || pb <= 0) continue;
      const t = quantileTest(b.hist, c.base.scale, a.hist, c.after.scale, q);
      if (t) out.push({ ...common, key, metric, before: pb, after: pa, change: pa / pb - 1, test: t, higherIsWorse: true });
    }
  }
  return out;
}

function bigEnough(f: Candidate): boolean {
  const floor = f.metric === 'error_rate' ? MIN_CHANGE.error_rate : f.metric === 'throughput' ? MIN_CHANGE.throughput : MIN_CHANGE.latency;
  // The change must point the way the test does (a percentile and the share beyond the test's
  // threshold can disagree by a bin).
  return Math.abs(f.change) >= floor && Math.sign(f.change) === Math.sign(f.test.z);
}

/** Every comparison tested, corrected together; the significant findings, worst first. */
export function findings(comparisons: Comparison[], alpha: number): { findings: Finding[]; tests: number } {
  const all = comparisons.flatMap(candidates);
  const adjusted = benjaminiHochberg(all.map((c) => c.test.p));
  const out: Finding[] = [];
  all.forEach((c, i) => {
    if (adjusted[i] > alpha || !bigEnough(c)) return;
    const { test, higherIsWorse, ...rest } = c;
    const worse = test.z > 0 === higherIsWorse;
    out.push({ ...rest, p_value: adjusted[i], p_raw: test.p, verdict: worse ? 'worse' : 'better' });
  });
  out.sort((x, y) => (x.verdict === y.verdict ? x.p_value - y.p_value : x.verdict === 'worse' ? -1 : 1));
  return { findings: out, tests: all.length };
}
