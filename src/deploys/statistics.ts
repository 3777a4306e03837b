// The significance tests deploy reports use, and the correction for testing many groups at once.
//
// - Rates (error rate, and the share of events beyond a latency threshold) are compared with the
//   two-proportion z-test (pooled standard error). It is only run when every cell of the 2x2
//   table expects at least 5 events (Cochran's rule), below which the normal approximation
//   cannot be trusted; a group that small is not tested at all, so its noise is never reported.
// - Throughput compares two counts over windows of equal length: under "no change" the after
//   count, given the total, is Binomial(total, 1/2), tested by its normal approximation.
// - A report runs hundreds of tests; Benjamini-Hochberg keeps the expected share of false
//   findings at alpha, and when nothing changed (every null hypothesis true) the chance of any
//   finding at all at alpha too.

/** P(|Z| >= |z|) for a standard normal Z. */
export function twoSidedP(z: number): number {
  return Math.min(1, 2 * normalUpperTail(Math.abs(z)));
}

/** P(Z >= x) for a standard normal Z. */
function normalUpperTail(x: number): number {
  return 0.5 * erfc(x / Math.SQRT2);
}

/** erfc with relative error below 1.2e-7 everywhere (Numerical Recipes' Chebyshev fit). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

export interface TestResult {
  z: number;
  p: number;
}

export const MIN_EXPECTED = 5;

/**
 * Two-proportion z-test of x1/n1 against x2/n2; undefined when a cell of the table is expected
 * to hold fewer than MIN_EXPECTED events. Positive z: the second proportion is the higher.
 */
export function twoProportionTest(x1: number, n1: number, x2: number, n2: number): TestResult | undefined {
  if (!(n1 > 0 && n2 > 0)) return undefined;
  const pooled = (x1 + x2) / (n1 + n2);
  const expected = [n1 * pooled, n1 * (1 - pooled), n2 * pooled, n2 * (1 - pooled)];
  if (expected.some((e) => e < MIN_EXPECTED)) return undefined;
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const z = (x2 / n2 - x1 / n1) / se;
  return { z, p: twoSidedP(z) };
}

/** Equal-length windows holding n1 then n2 events: z of the change in rate. */
export function countTest(n1: number, n2: number): TestResult | undefined {
  if (n1 + n2 < 2 * MIN_EXPECTED) return undefined;
  const z = (n2 - n1) / Math.sqrt(n1 + n2);
  return { z, p: twoSidedP(z) };
}

/**
 * Benjamini-Hochberg adjusted p-values (in the input's order): a finding is significant when its
 * adjusted p-value is at most alpha.
 */
export function benjaminiHochberg(ps: number[]): number[] {
  const m = ps.length;
  const order = ps.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const adjusted = new Array<number>(m);
  let running = 1;
  for (let k = m - 1; k >= 0; k--) {
    const [p, i] = order[k];
    running = Math.min(running, (p * m) / (k + 1));
    adjusted[i] = running;
  }
  return adjusted;
}

/**
 * Latency as a histogram: weighted event counts per bin of log10(milliseconds), bin k holding
 * [10^(k*LOG_BIN), 10^((k+1)*LOG_BIN)). Fixed bins, so windows read by separate queries line up.
 */
export type Histogram = Map<number, number>;
export const LOG_BIN = 0.05;

/**
 * Whether the q-quantile moved: the events beyond a threshold, compared in both windows with the
 * two-proportion test (Mood's median test generalised to any quantile). The threshold is the bin
 * edge where the pooled windows have the share closest to 1 - q beyond it; chosen from the pooled
 * events, it favours neither window, so the test keeps its level. `scale` turns weighted counts
 * into stored events (sampled events are one observation each). Positive z: slower after.
 */
export function quantileTest(before: Histogram, beforeScale: number, after: Histogram, afterScale: number, q: number): TestResult | undefined {
  const pooled = new Map<number, number>();
  for (const h of [before, after]) for (const [k, n] of h) pooled.set(k, (pooled.get(k) ?? 0) + n);
  const bins = [...pooled.keys()].sort((a, b) => b - a);
  const total = [...pooled.values()].reduce((a, b) => a + b, 0);
  if (bins.length < 2 || total <= 0) return undefined;
  let best = bins[0];
  let bestGap = Infinity;
  let above = 0;
  for (const k of bins.slice(0, -1)) {
    above += pooled.get(k)!;
    const gap = Math.abs(above / total - (1 - q));
    if (gap < bestGap) [best, bestGap] = [k, gap];
  }
  const beyond = (h: Histogram) => [...h].reduce((s, [k, n]) => s + (k >= best ? n : 0), 0);
  const sum = (h: Histogram) => [...h.values()].reduce((a, b) => a + b, 0);
  return twoProportionTest(beyond(before) * beforeScale, sum(before) * beforeScale, beyond(after) * afterScale, sum(after) * afterScale);
}
