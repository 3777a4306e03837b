// Per-minute good and eligible counts (weighted by sample rate) of one SLO, in hour blocks:
// the unit kept in memory, persisted to the metadata store, and summed for every window. A
// minute not computed (new SLO, after a restart, or made stale by a late event) is NaN.
export const MINUTE_MS = 60_000;

/** Good and eligible counts over some minutes. */
export interface Counts {
  good: number;
  eligible: number;
}

export class MinuteSeries {
  /** hour index (minute / 60) -> [good0, eligible0, good1, eligible1, ...] for its 60 minutes */
  readonly blocks = new Map<number, Float64Array>();

  private block(hour: number, create: boolean): Float64Array | undefined {
    let b = this.blocks.get(hour);
    if (!b && create) this.blocks.set(hour, (b = new Float64Array(120).fill(NaN)));
    return b;
  }

  set(minute: number, good: number, eligible: number): void {
    const b = this.block(Math.floor(minute / 60), true)!;
    const i = (minute - Math.floor(minute / 60) * 60) * 2;
    b[i] = good;
    b[i + 1] = eligible;
  }

  /** Marks a minute as not computed (a late event landed in it). */
  invalidate(minute: number): void {
    const b = this.block(Math.floor(minute / 60), false);
    if (b) b.fill(NaN, (minute - Math.floor(minute / 60) * 60) * 2, (minute - Math.floor(minute / 60) * 60) * 2 + 2);
  }

  computed(minute: number): boolean {
    const b = this.block(Math.floor(minute / 60), false);
    return b !== undefined && !Number.isNaN(b[(minute - Math.floor(minute / 60) * 60) * 2]);
  }

  /** Runs of minutes in [from, to) that are not computed, as [start, end) pairs (read an hour block at a time). */
  missing(from: number, to: number): [number, number][] {
    const runs: [number, number][] = [];
    let start = -1;
    for (let h = Math.floor(from / 60); h * 60 < to; h++) {
      const b = this.blocks.get(h);
      for (let m = Math.max(from, h * 60); m < Math.min(to, h * 60 + 60); m++) {
        if (!b || Number.isNaN(b[(m - h * 60) * 2])) {
          if (start < 0) start = m;
        } else if (start >= 0) {
          runs.push([start, m]);
          start = -1;
        }
      }
    }
    if (start >= 0) runs.push([start, to]);
    return runs;
  }

  /** Sums over [from, to); minutes not computed count as nothing. */
  sum(from: number, to: number): Counts {
    let good = 0;
    let eligible = 0;
    for (let h = Math.floor(from / 60); h * 60 < to; h++) {
      const b = this.blocks.get(h);
      if (!b) continue;
      const lo = Math.max(from - h * 60, 0);
      const hi = Math.min(to - h * 60, 60);
      for (let i = lo; i < hi; i++) {
        const g = b[i * 2];
        if (Number.isNaN(g)) continue;
        good += g;
        eligible += b[i * 2 + 1];
      }
    }
    return { good, eligible };
  }

  /** Forgets hours that end at or before `minute`; answers the hours dropped. */
  dropBefore(minute: number): number[] {
    const gone = [...this.blocks.keys()].filter((h) => (h + 1) * 60 <= minute);
    for (const h of gone) this.blocks.delete(h);
    return gone;
  }
}
