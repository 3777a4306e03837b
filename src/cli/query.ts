// `tend query DATASET`: ask a question of a running server from the terminal. The flags build
// a Honeycomb query (query-flags.ts); the answer prints as a table with one row per group and
// a sparkline of the group's series, or as the server's JSON with --json.
//   tend query api --calc 'P99(duration_ms)' --calc COUNT --where 'status_code >= 500' --by endpoint --last 2h
import type { Command } from 'commander';
import type { HeatmapValue, QueryResult, ResultValue } from '../query/index.js';
import { callApi, clientOptions, type ClientOptions } from './client.js';
import { specFromFlags, type QueryFlags } from './query-flags.js';
import { sparkline } from './sparkline.js';
import { formatTable } from './table.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

function isHeatmap(v: ResultValue | undefined): v is HeatmapValue {
  return typeof v === 'object' && v !== null && 'buckets' in v;
}

function cell(v: ResultValue | undefined): string {
  if (v === null || v === undefined) return '-';
  if (isHeatmap(v)) return sparkline(v.buckets.map((b) => b.count), 20);
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
  return String(v);
}

/** The answer as text: a table of groups (breakdowns, calculations, a sparkline) and a footer. */
export function renderResult(answer: QueryResult): string {
  const breakdowns = answer.query.breakdowns ?? [];
  const keys = Object.keys(answer.data.results[0]?.data ?? {}).filter((k) => !breakdowns.includes(k));
  const results = answer.data.results;
  // The sparkline follows the first calculation that has one number per bucket.
  const sparkKey = keys.find((k) => !results.some((r) => isHeatmap(r.data[k])));
  const groupOf = (data: Record<string, ResultValue>) => JSON.stringify(breakdowns.map((b) => data[b] ?? null));
  const series = new Map<string, (number | null)[]>();
  for (const point of answer.data.series) {
    const id = groupOf(point.data);
    const list = series.get(id) ?? [];
    const v = sparkKey ? point.data[sparkKey] : null;
    list.push(typeof v === 'number' ? v : null);
    series.set(id, list);
  }
  const header = [...breakdowns, ...keys, ...(sparkKey ? [`${sparkKey} over time`] : [])];
  const rows = results.map((r) => [
    ...breakdowns.map((b) => cell(r.data[b])),
    ...keys.map((k) => cell(r.data[k])),
    ...(sparkKey ? [sparkline(series.get(groupOf(r.data)) ?? [])] : []),
  ]);
  const right = new Set(keys.map((_, i) => breakdowns.length + i));
  const m = answer.metadata;
  // Windows are whole seconds: drop the milliseconds always and the seconds when they are 0.
  const when = (s: number) => new Date(s * 1000).toISOString().replace(/(:00)?\.000Z$/, 'Z');
  const footer =
    `${results.length} group${results.length === 1 ? '' : 's'}${m.truncated ? ' (limit reached)' : ''}, ` +
    `${when(m.start_time)} to ${when(m.end_time)} by ${m.granularity}s, ${m.rows_scanned} events read in ${m.duration_ms} ms` +
    (answer.markers?.length ? `, ${answer.markers.length} marker${answer.markers.length === 1 ? '' : 's'}` : '');
  return formatTable(header, rows, right) + footer + '\n';
}

export function registerQuery(program: Command): void {
  clientOptions(
    program
      .command('query <dataset>')
      .description('Query a dataset (or __all__) of a running server; see docs/queries.md for the flag grammar')
      .option('--calc <calc>', "a calculation: COUNT, P99(duration_ms), NAME=AVG(col) (repeat)", collect)
      .option('--where <filter>', "a filter: 'status_code >= 500', 'endpoint starts-with /api', 'region in a,b', 'error exists' (repeat)", collect)
      .option('--any', 'match events that pass any --where, not all')
      .option('--by <column>', 'group by a column (repeat, or comma-separated)', collect)
      .option('--order <order>', "order groups: 'COUNT desc', 'endpoint asc' (repeat)", collect)
      .option('--having <having>', "keep groups whose calculation passes: 'COUNT > 100' (repeat)", collect)
      .option('--field <field>', "a calculated field: 'slow=GT($duration_ms, 1000)' (repeat)", collect)
      .option('--limit <n>', 'most groups (default 1000)')
      .option('--last <duration>', 'the window ending now: 30m, 2h, 7d (default 2h)')
      .option('--start <time>', 'window start: Unix seconds, RFC3339, or -3h')
      .option('--end <time>', 'window end (default now)')
      .option('--granularity <g>', 'series bucket: seconds or 1m, 5m, 1h')
      .option('--json', "print the server's JSON answer"),
  ).action(async (dataset: string, opts: QueryFlags & ClientOptions & { json?: boolean }) => {
    const spec = specFromFlags(opts);
    const answer = await callApi<QueryResult>(opts, 'admin', 'POST', `/api/v1/query/${encodeURIComponent(dataset)}`, spec);
    process.stdout.write(opts.json ? JSON.stringify(answer, null, 2) + '\n' : renderResult(answer));
  });
}
