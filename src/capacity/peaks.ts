// Peaks per hour through the query engine (weighted by sample rate, like every count):
//  - requests per second: each minute's requests / 60, grouped by a calculated minute field,
//    the hour's peak being its busiest minute (an hour's average would hide the bursts that
//    break limits). A query answers at most 10,000 groups, so long windows are read in chunks.
//  - a resource column: its maximum per hour.
import { runQuery, QUERY_LIMITS, type Filter, type QueryDeps } from '../query/index.js';
import type { Environment } from '../store/index.js';

const MINUTE = 60;
const HOUR = 3600;
const MINUTE_FIELD = '__tend_minute';
const HOUR_FIELD = '__tend_hour';

export interface HourPeak {
  /** Start of the hour, Unix ms. */
  atMs: number;
  peak: number;
}

export interface Span {
  /** Whole hours, Unix seconds, [start, end). */
  start: number;
  end: number;
}

const bucketField = (name: string, seconds: number) => ({ name, expression: `INT(DIV(EVENT_TIMESTAMP(), ${seconds}))` });

/** Every hour of the span, those without a value at 0. */
function fill(span: Span, values: Map<number, number>): HourPeak[] {
  const out: HourPeak[] = [];
  for (let h = span.start / HOUR; h < span.end / HOUR; h++) out.push({ atMs: h * HOUR * 1000, peak: values.get(h) ?? 0 });
  return out;
}

/**
 * Requests per second, hour by hour, for each key of `groupBy` (the total when absent),
 * counting only events that pass `filters`. Answers group key (`''` for the total) -> hours.
 */
export async function requestPeaks(
  query: QueryDeps, env: Environment, dataset: string, span: Span, groupBy?: { field: string; values: string[] },
): Promise<Map<string, HourPeak[]>> {
  const keys = groupBy ? groupBy.values : [''];
  const perKey = new Map(keys.map((k) => [k, new Map<number, number>()]));
  const filters: Filter[] = groupBy ? [{ column: groupBy.field, op: 'in', value: groupBy.values }] : [];
  // Minutes per query so that minutes x keys stays within a query's groups.
  const chunk = Math.floor(QUERY_LIMITS.maxLimit / keys.length) * MINUTE;
  for (let from = span.start; from < span.end; from += chunk) {
    const r = await runQuery(query, env, dataset, {
      start_time: from, end_time: Math.min(span.end, from + chunk),
      calculated_fields: [bucketField(MINUTE_FIELD, MINUTE)],
      calculations: [{ op: 'COUNT' }],
      breakdowns: groupBy ? [groupBy.field, MINUTE_FIELD] : [MINUTE_FIELD],
      filters,
      limit: QUERY_LIMITS.maxLimit,
    }, { series: false });
    for (const row of r.data.results) {
      const key = groupBy ? String(row.data[groupBy.field]) : '';
      const hour = Math.floor((Number(row.data[MINUTE_FIELD]) * MINUTE) / HOUR);
      const rate = Number(row.data.COUNT) / MINUTE;
      const hours = perKey.get(key);
      if (hours) hours.set(hour, Math.max(hours.get(hour) ?? 0, rate));
    }
  }
  return new Map([...perKey].map(([k, v]) => [k, fill(span, v)]));
}

/** Each column's maximum per hour. */
export async function resourcePeaks(query: QueryDeps, env: Environment, dataset: string, span: Span, columns: string[]): Promise<Map<string, HourPeak[]>> {
  const values = new Map(columns.map((c) => [c, new Map<number, number>()]));
  if (columns.length === 0) return new Map();
  const chunk = QUERY_LIMITS.maxLimit * HOUR;
  for (let from = span.start; from < span.end; from += chunk) {
    const r = await runQuery(query, env, dataset, {
      start_time: from, end_time: Math.min(span.end, from + chunk),
      calculated_fields: [bucketField(HOUR_FIELD, HOUR)],
      calculations: columns.map((column, i) => ({ op: 'MAX' as const, column, name: `r${i}` })),
      breakdowns: [HOUR_FIELD],
      limit: QUERY_LIMITS.maxLimit,
    }, { series: false });
    for (const row of r.data.results) {
      columns.forEach((c, i) => {
        const v = row.data[`r${i}`];
        if (v !== null && v !== undefined) values.get(c)!.set(Number(row.data[HOUR_FIELD]), Number(v));
      });
    }
  }
  return new Map([...values].map(([c, v]) => [c, fill(span, v)]));
}
