// Weighted latency histograms that add up: the query engine's approximate percentiles count
// each value in the log bucket k = ceil(ln|x| / ln GAMMA) (with its sign, and k = 0 for 0),
// keeping per bucket the weight and the smallest and largest value. Buckets of different
// minutes merge by adding weights and taking the extremes, so everyone's percentiles over
// any run of minutes come out of per-minute rollups (everyone.ts) as the engine computes them
// over the events (src/query/compile.ts, `qN`).
import { PERCENTILE_ACCURACY } from '../query/index.js';

/** The engine's bucket ratio: any value of a bucket is within PERCENTILE_ACCURACY of its representative. */
export const GAMMA = (1 + PERCENTILE_ACCURACY) / (1 - PERCENTILE_ACCURACY);

export interface Bin {
  sg: number;
  k: number;
  /** Weight: the events the bucket's values stand for. */
  n: number;
  lo: number;
  hi: number;
}

/** Events, errors (both weighted) and the latency histogram of some minutes. */
export class Tally {
  events = 0;
  errors = 0;
  readonly bins = new Map<string, Bin>();

  add(other: { events: number; errors: number; bins: Iterable<Bin> }): void {
    this.events += other.events;
    this.errors += other.errors;
    for (const b of other.bins) {
      const key = `${b.sg}:${b.k}`;
      const mine = this.bins.get(key);
      if (!mine) this.bins.set(key, { ...b });
      else {
        mine.n += b.n;
        mine.lo = Math.min(mine.lo, b.lo);
        mine.hi = Math.max(mine.hi, b.hi);
      }
    }
  }

  /** The engine's weighted percentiles: the first bucket in value order whose running weight reaches q of the total. */
  percentiles(qs: number[]): (number | null)[] {
    const bins = [...this.bins.values()].sort((a, b) => a.sg - b.sg || a.sg * a.k - b.sg * b.k);
    const total = bins.reduce((s, b) => s + b.n, 0);
    return qs.map((q) => {
      let cum = 0;
      for (const b of bins) {
        cum += b.n;
        if (cum >= q * total) return Math.max(b.lo, Math.min(b.hi, (b.sg * 2 * GAMMA ** b.k) / (GAMMA + 1)));
      }
      return null;
    });
  }
}
