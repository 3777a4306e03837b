// Query results -> one row of values per group over the series' times, as charts draw them.
import type { QueryResult, ResultValue } from '../app/api-types';

export interface GroupSeries {
  /** "GET / 200", or "all" without breakdowns. */
  label: string;
  /** The breakdown values, for filters. */
  keys: Record<string, ResultValue>;
  /** One value per time of the table, null where the group has no point. */
  values: Record<string, ResultValue[]>;
}

export interface SeriesTable {
  /** Bucket starts, Unix seconds. */
  times: number[];
  groups: GroupSeries[];
}

export function groupLabel(breakdowns: string[], data: Record<string, ResultValue>): string {
  // One breakdown is the common case, and this runs once per point.
  if (breakdowns.length === 1) return String(data[breakdowns[0]] ?? '(none)');
  return breakdowns.length ? breakdowns.map((b) => String(data[b] ?? '(none)')).join(' · ') : 'all';
}

/**
 * Two passes over the answer's points (a 50-group x 300-bucket chart has 15,000): the first finds
 * each point's time and group, the second fills arrays made once at their full length, so no
 * array grows point by point and charts get dense arrays with null for the gaps.
 */
export function seriesTable(result: QueryResult, calcKeys: string[]): SeriesTable {
  const breakdowns = result.query.breakdowns ?? [];
  const points = result.data.series;
  const times: number[] = [];
  const timeIndex = new Map<string, number>();
  const groupIndex = new Map<string, number>();
  /** Each group's label and its first point, whose breakdown values are the group's keys. */
  const labels: string[] = [];
  const firstPoints: number[] = [];
  const pointTime = new Int32Array(points.length);
  const pointGroup = new Int32Array(points.length);
  // The API sends the points bucket by bucket: most points share the previous point's time.
  let lastTime: string | undefined;
  let t = -1;
  for (let i = 0; i < points.length; i++) {
    const p = points[i];
    if (p.time !== lastTime) {
      lastTime = p.time;
      const known = timeIndex.get(p.time);
      if (known === undefined) {
        t = times.length;
        timeIndex.set(p.time, t);
        times.push(Date.parse(p.time) / 1000);
      } else t = known;
    }
    const label = groupLabel(breakdowns, p.data);
    let g = groupIndex.get(label);
    if (g === undefined) {
      g = labels.length;
      groupIndex.set(label, g);
      labels.push(label);
      firstPoints.push(i);
    }
    pointTime[i] = t;
    pointGroup[i] = g;
  }
  const groups: GroupSeries[] = labels.map((label, g) => ({
    label,
    keys: Object.fromEntries(breakdowns.map((b) => [b, points[firstPoints[g]].data[b] ?? null])),
    values: Object.fromEntries(calcKeys.map((k) => [k, new Array<ResultValue>(times.length).fill(null)])),
  }));
  for (let i = 0; i < points.length; i++) {
    const data = points[i].data;
    const values = groups[pointGroup[i]].values;
    for (const k of calcKeys) values[k][pointTime[i]] = data[k] ?? null;
  }
  return { times, groups };
}

export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#59a14f', '#b07aa1', '#76b7b2', '#edc948', '#ff9da7', '#9c755f', '#8c8c8c'];
