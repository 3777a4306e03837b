// The query statement's rows, split into totals and series -> Honeycomb's query result shape:
// `{"series": [{"time", "data"}], "results": [{"data"}]}`, every bucket of the window present
// for every group (COUNT 0 where nothing happened), HEATMAP values as bucket lists, RATE_*
// derived from consecutive buckets.
import type { Row } from '../store/index.js';
import { HEATMAP_BUCKETS, seriesGroupLimit } from './compile.js';
import type { PlannedCalc, QueryPlan } from './plan.js';

export type ResultValue = string | number | boolean | null | HeatmapValue;

export interface HeatmapValue {
  buckets: { lower: number; upper: number; count: number }[];
}

export interface SeriesPoint {
  /** Bucket start, ISO 8601 UTC. */
  time: string;
  data: Record<string, ResultValue>;
}

export interface ResultRow {
  data: Record<string, ResultValue>;
}

export interface QueryData {
  series: SeriesPoint[];
  results: ResultRow[];
}

const RATE_OPS = new Set(['RATE_AVG', 'RATE_SUM', 'RATE_MAX']);
const ZERO_WHEN_EMPTY = new Set(['COUNT', 'SUM', 'COUNT_DISTINCT', 'CONCURRENCY']);

function num(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'bigint' ? Number(v) : Number(v);
}

/** `i:n,i:n|lo|hi` (from compile.ts) -> every heatmap bucket with its weighted count. */
export function heatmapValue(v: unknown): HeatmapValue {
  if (typeof v !== 'string' || v === '') return { buckets: [] };
  const [pairs, loText, hiText] = v.split('|');
  const lo = Number(loText);
  const hi = Number(hiText);
  const width = hi > lo ? (hi - lo) / HEATMAP_BUCKETS : 0;
  const counts = new Array<number>(width ? HEATMAP_BUCKETS : 1).fill(0);
  for (const p of pairs.split(',')) {
    const [i, n] = p.split(':');
    counts[Number(i)] += Number(n);
  }
  return {
    buckets: counts.map((count, i) => ({ lower: lo + i * width, upper: width ? lo + (i + 1) * width : hi, count })),
  };
}

function calcValue(calc: PlannedCalc, v: unknown): ResultValue {
  if (calc.op === 'HEATMAP') return heatmapValue(v);
  const n = num(v);
  if (n === null && ZERO_WHEN_EMPTY.has(calc.op)) return 0;
  return n;
}

function emptyValue(calc: PlannedCalc): ResultValue {
  if (calc.op === 'HEATMAP') return { buckets: [] };
  return ZERO_WHEN_EMPTY.has(calc.op) ? 0 : null;
}

function groupData(plan: QueryPlan, row: Row): Record<string, ResultValue> {
  const out: Record<string, ResultValue> = {};
  plan.groups.forEach((g, i) => {
    const v = row[`g${i}`];
    out[g.name] = typeof v === 'bigint' ? Number(v) : (v as ResultValue) ?? null;
  });
  return out;
}

const groupId = (plan: QueryPlan, row: Row) => JSON.stringify(plan.groups.map((_, i) => row[`g${i}`] ?? null), (_k, v) => (typeof v === 'bigint' ? Number(v) : v));

/** Bucket starts (µs) covering the window, aligned to epoch multiples of the granularity. */
export function bucketStarts(plan: QueryPlan): number[] {
  const g = plan.granularity * 1e6;
  const out: number[] = [];
  for (let t = Math.floor(plan.window.startUs / g) * g; t < plan.window.endUs; t += g) out.push(t);
  return out;
}

function isoSeconds(us: number): string {
  return new Date(us / 1000).toISOString().replace('.000Z', 'Z');
}

/** Shapes totals and series rows into Honeycomb's result data. */
export function shapeResults(plan: QueryPlan, totals: Row[], series: Row[], withSeries = true): QueryData {
  const times = withSeries ? bucketStarts(plan) : [];
  const timeIndex = new Map(times.map((t, i) => [t, i]));
  const byGroup = new Map<string, (Row | undefined)[]>();
  for (const r of series) {
    const id = groupId(plan, r);
    let rows = byGroup.get(id);
    if (!rows) byGroup.set(id, (rows = new Array(times.length)));
    const i = timeIndex.get(num(r.t)!);
    if (i !== undefined) rows[i] = r;
  }
  const empty = plan.calcs.map(emptyValue);
  const seriesGroups = seriesGroupLimit(plan);
  // perGroup[g][i]: the data of group g in bucket i.
  const perGroup: Record<string, ResultValue>[][] = [];
  const results: ResultRow[] = [];
  for (const total of totals) {
    const keys = groupData(plan, total);
    const rows = byGroup.get(groupId(plan, total));
    // Groups past the series limit (compile.ts) have totals only.
    const charted = results.length < seriesGroups;
    const perBucket = (charted ? times : []).map((_, i) => {
      const r = rows?.[i];
      const data: Record<string, ResultValue> = Object.assign({}, keys);
      plan.calcs.forEach((calc, k) => (data[calc.key] = r ? calcValue(calc, r[`c${k}`]) : empty[k]));
      return data;
    });
    const summary: Record<string, ResultValue> = Object.assign({}, keys);
    plan.calcs.forEach((calc, k) => {
      summary[calc.key] = RATE_OPS.has(calc.op) ? toRates(perBucket, calc.key) : calcValue(calc, total[`c${k}`]);
    });
    results.push({ data: summary });
    if (charted) perGroup.push(perBucket);
  }
  // Series ordered by time, groups in result order within a bucket.
  const points: SeriesPoint[] = [];
  times.forEach((t, i) => {
    const time = isoSeconds(t);
    for (const buckets of perGroup) points.push({ time, data: buckets[i] });
  });
  return { series: points, results };
}

/**
 * RATE_*: replaces each bucket's value by its difference from the previous bucket's (null
 * when either is missing) and answers the mean of those differences for the summary.
 */
function toRates(perBucket: Record<string, ResultValue>[], key: string): number | null {
  const base = perBucket.map((d) => d[key] as number | null);
  let sum = 0;
  let n = 0;
  perBucket.forEach((d, i) => {
    const rate = i > 0 && base[i] !== null && base[i - 1] !== null ? base[i]! - base[i - 1]! : null;
    d[key] = rate;
    if (rate !== null) {
      sum += rate;
      n++;
    }
  });
  return n ? sum / n : null;
}
