// The arithmetic of headroom, apart from any query: a least-squares slope through daily peaks,
// when a peak growing at it reaches a limit, and which limit a multiplied load breaks first.
//
// The line is fitted to each day's highest hourly peak, not to every hour: nights and
// weekends would pull a line through all hours far below the peaks that break limits.

export interface Line {
  /** Change per day, in the limit's unit. */
  slope_per_day: number;
}

const DAY_MS = 86_400_000;

/** Least squares through (time, value) points; undefined with fewer than two distinct times. */
export function leastSquares(points: { atMs: number; value: number }[]): Line | undefined {
  const n = points.length;
  if (n < 2) return undefined;
  const mx = points.reduce((s, p) => s + p.atMs, 0) / n;
  const my = points.reduce((s, p) => s + p.value, 0) / n;
  // The slope alone: limits are reached from the recent peak at the trend's pace (capacity.ts).
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.atMs - mx) ** 2;
    sxy += (p.atMs - mx) * (p.value - my);
  }
  if (sxx === 0) return undefined;
  const slope = sxy / sxx;
  return { slope_per_day: slope * DAY_MS };
}

/** Each UTC day's highest value, at the day's middle. */
export function dailyPeaks(hours: { atMs: number; peak: number }[]): { atMs: number; value: number }[] {
  const days = new Map<number, number>();
  for (const h of hours) {
    const day = Math.floor(h.atMs / DAY_MS);
    days.set(day, Math.max(days.get(day) ?? 0, h.peak));
  }
  return [...days].sort((a, b) => a[0] - b[0]).map(([day, value]) => ({ atMs: day * DAY_MS + DAY_MS / 2, value }));
}

/**
 * When a peak of `from` now, growing by `slopePerDay`, reaches `limit`: `nowMs` when it is
 * there already, null when it never will (flat or falling, or no trend).
 */
export function reachesAt(from: number, slopePerDay: number | undefined, limit: number, nowMs: number): number | null {
  if (from >= limit) return nowMs;
  if (slopePerDay === undefined || slopePerDay <= 0) return null;
  return nowMs + ((limit - from) / slopePerDay) * DAY_MS;
}

export interface PlannedLimit {
  name: string;
  limit: number;
  /** The expected peak at the planned time without the multiplier. */
  expected: number;
  projected: number;
  /** projected / limit: 1 or more breaks the limit. */
  utilisation: number;
  breaks: boolean;
  /** The multiplier of the expected peak that reaches the limit (null when nothing is expected). */
  breaks_at_multiplier: number | null;
}

/** Each limit at `multiplier` times its expected peak, the first to break first. */
export function planLimits<L extends { name: string; limit: number; expected: number }>(limits: L[], multiplier: number): (L & PlannedLimit)[] {
  return limits
    .map((l) => {
      const projected = l.expected * multiplier;
      return {
        ...l, projected, utilisation: projected / l.limit, breaks: projected >= l.limit,
        breaks_at_multiplier: l.expected > 0 ? l.limit / l.expected : null,
      };
    })
    .sort((a, b) => b.utilisation - a.utilisation || a.name.localeCompare(b.name));
}
