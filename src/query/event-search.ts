// Raw events: the "show me the events" view. The same filters, calculated fields and time
// window as a query, answered with the matching events themselves, newest (or oldest) first,
// at most MAX_EVENTS of them.
import { z } from 'zod';
import { SAMPLERATE_COLUMN, TIME_COLUMN, type Environment } from '../store/index.js';
import { whereClause } from './compile.js';
import { columnsOf, type Expr } from './expr.js';
import { columnResolver, filtersExpr, mergeColumns, timeWindow, windowNow } from './plan.js';
import { parseQuerySpec, QuerySpecSchema } from './spec.js';
import { compileAndRead, DEFAULT_QUERY_TIMEOUT_MS, resolveDatasets, valueFieldOf, type QueryDeps, type QueryOptions } from './run.js';
import { validate } from '../http/index.js';

export const DEFAULT_EVENTS = 100;
export const MAX_EVENTS = 1000;
/** Most columns one answer carries; wider datasets name the ones they want in `columns`. */
export const MAX_EVENT_COLUMNS = 500;

export const EventSearchSchema = QuerySpecSchema.pick({
  filters: true, filter_combination: true, calculated_fields: true, time_range: true, start_time: true, end_time: true,
}).extend({
  /** By event time: `descending` (newest first, the default) or `ascending`. */
  order: z.enum(['ascending', 'descending']).nullish(),
  /** Order by this column (or calculated field) instead of time, in `order`; ties newest first. */
  sort_by: z.string().min(1).nullish(),
  limit: z.number().int().min(1).max(MAX_EVENTS).nullish(),
  /** Columns (or calculated fields) to return; every column of the dataset when absent. */
  columns: z.array(z.string().min(1)).min(1).max(MAX_EVENT_COLUMNS).nullish(),
});
export type EventSearch = z.infer<typeof EventSearchSchema>;

export interface FoundEvent {
  /** ISO-8601 with microseconds, UTC. */
  time: string;
  samplerate: number;
  data: Record<string, unknown>;
}

export interface EventSearchResult {
  events: FoundEvent[];
  meta: { start_time: number; end_time: number; order: 'ascending' | 'descending'; limit: number; more: boolean; duration_ms: number };
}

export function parseEventSearch(json: unknown): EventSearch {
  const parsed = validate(EventSearchSchema, json, 'search');
  // The query spec's own checks (filter values, calculated field names, time order).
  const { order: _o, limit: _l, columns: _c, sort_by: _s, ...spec } = parsed;
  parseQuerySpec(spec);
  return parsed;
}

export async function searchEvents(deps: QueryDeps, env: Environment, dataset: string, search: EventSearch, options: QueryOptions = {}): Promise<EventSearchResult> {
  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  const datasets = await resolveDatasets(deps.datasets, env, dataset);
  const columns = mergeColumns(await Promise.all(datasets.map((d) => deps.store.columns(d.id))));
  const { start, end } = timeWindow(search, options.nowSeconds ?? windowNow());
  const order = search.order ?? 'descending';
  const limit = search.limit ?? DEFAULT_EVENTS;
  const meta = { start_time: start, end_time: end, order, limit, more: false };
  const resolve = columnResolver(columns, search.calculated_fields);
  const where = filtersExpr(search.filters, search.filter_combination, resolve);
  const sortBy = search.sort_by ? resolve(search.sort_by) : undefined;
  const names = search.columns ?? [...columns.keys()].slice(0, MAX_EVENT_COLUMNS);
  const window = { startUs: start * 1e6, endUs: end * 1e6 };
  // Output columns are numbered (f0, f1, ...) so any field name, however odd, comes back intact.
  const outputs = names.map((name, i): [Expr, number] => [resolve(name), i]).filter(([e]) => e.type !== 'null');
  const source = await deps.store.source(datasets.map((d) => d.id), window.startUs, window.endUs, columnsOf([where, ...(sortBy ? [sortBy] : []), ...outputs.map(([e]) => e)]));
  if (!source) return { events: [], meta: { ...meta, duration_ms: elapsed(started) } };

  const rows = await compileAndRead(deps.store, (c) => {
    const cols = [`${c.epochMicros(c.timeColumn)} AS ${c.ident('t')}`, `${c.ident(SAMPLERATE_COLUMN)} AS ${c.ident('w')}`];
    for (const [e, i] of outputs) cols.push(`${c.expr(e)} AS ${c.ident(`f${i}`)}`);
    const direction = order === 'ascending' ? 'ASC' : 'DESC';
    const by = sortBy && sortBy.type !== 'null' ? `${c.expr(sortBy)} ${direction} NULLS LAST, ${c.ident(TIME_COLUMN)} DESC` : `${c.ident(TIME_COLUMN)} ${direction}`;
    return `SELECT ${cols.join(', ')} FROM ${source} WHERE ${whereClause(c, window, where)} ORDER BY ${by} LIMIT ${c.int(limit + 1)}`;
  }, Date.now() + timeoutMs, timeoutMs, valueFieldOf(search, 'filters'));
  const events = rows.slice(0, limit).map((r) => {
    const data: Record<string, unknown> = {};
    names.forEach((name, i) => {
      const v = r[`f${i}`];
      if (v !== null && v !== undefined) data[name] = typeof v === 'bigint' ? Number(v) : v;
    });
    return { time: isoFromMicros(Number(r.t)), samplerate: Number(r.w), data };
  });
  return { events, meta: { ...meta, more: rows.length > limit, duration_ms: elapsed(started) } };
}

/** 2026-11-22T10:00:00.123456Z */
function isoFromMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  return `${new Date(ms).toISOString().slice(0, -1)}${String(us - ms * 1000).padStart(3, '0')}Z`;
}

const elapsed = (started: number) => Math.round((performance.now() - started) * 10) / 10;
