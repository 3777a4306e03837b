// Query results -> one row of values per group over the series' times, as charts draw them.
import type { QueryResult, ResultValue } from '../app/api-types';

export interface GroupSeries {
  /** "GET / 200", or "all" without breakdowns. */
  label: string;
  /** The breakdown values, for filters. */
  keys: Record<string, ResultValue>;
  values: Record<string, (ResultValue | undefined)[]>;
}

export interface SeriesTable {
  /** Bucket starts, Unix seconds. */
  times: number[];
  groups: GroupSeries[];
}

export function groupLabel(breakdowns: string[], data: Record<string, ResultValue>): string {
  return breakdowns.length ? breakdowns.map((b) => String(data[b] ?? '(none)')).join(' · ') : 'all';
}

export function seriesTable(result: QueryResult, calcKeys: string[]): SeriesTable {
  const breakdowns = result.query.breakdowns ?? [];
  const times: number[] = [];
  const timeIndex = new Map<string, number>();
  const groups = new Map<string, GroupSeries>();
  for (const p of result.data.series) {
    let t = timeIndex.get(p.time);
    if (t === undefined) {
      t = times.length;
      timeIndex.set(p.time, t);
      times.push(Date.parse(p.time) / 1000);
    }
    const label = groupLabel(breakdowns, p.data);
    let g = groups.get(label);
    if (!g) {
      g = { label, keys: Object.fromEntries(breakdowns.map((b) => [b, p.data[b] ?? null])), values: Object.fromEntries(calcKeys.map((k) => [k, []])) };
      groups.set(label, g);
    }
    for (const k of calcKeys) g.values[k][t] = p.data[k];
  }
  return { times, groups: [...groups.values()] };
}

export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#59a14f', '#b07aa1', '#76b7b2', '#edc948', '#ff9da7', '#9c755f', '#8c8c8c'];
