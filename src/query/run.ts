// Runs a query: resolves the dataset(s), plans, compiles with the store's own compiler, reads
// with a timeout, and shapes Honeycomb's result with the query's own metadata.
import { badRequest, HttpError, notFound } from '../http/index.js';
import {
  ALL_DATASETS, BadValueError, ReadTimeoutError,
  type Dataset, type DatasetRegistry, type Environment, type EventStore, type MetaStore, type Row, type SqlCompiler,
} from '../store/index.js';
import { compileQuery, planColumns, seriesGroupLimit } from './compile.js';
import { mergeColumns, planQuery, windowNow, type QueryPlan } from './plan.js';
import { shapeResults, type QueryData } from './results.js';
import type { QuerySpec } from './spec.js';

/** Default time a query may run before it is interrupted. */
export const DEFAULT_QUERY_TIMEOUT_MS = 10_000;

/** Markers overlapping a window, added to results by the markers capability (issue 3, item 6). */
export type MarkerProvider = (env: Environment, datasets: Dataset[], startSeconds: number, endSeconds: number) => Promise<unknown[]>;

/** What running a query needs: the event store, the dataset registry, optional metadata and markers. */
export interface QueryDeps {
  store: EventStore;
  datasets: DatasetRegistry;
  meta?: MetaStore;
  /** When given, results carry `markers` overlapping their window. */
  markers?: MarkerProvider;
}

export interface QueryOptions {
  timeoutMs?: number;
  /** "Now" in seconds, for windows that end now (tests pin it; default: plan.ts windowNow()). */
  nowSeconds?: number;
  /** Compute the series as well as the totals (default true; Honeycomb's disable_series turns it off). */
  series?: boolean;
  /**
   * Percentiles from the weighted histogram (within PERCENTILE_ACCURACY) even when no event is
   * sampled: over millions of events 2-3x faster than exact ones. For figures shown beside
   * others, never for thresholds that decide what counts.
   */
  approximatePercentiles?: boolean;
}

export interface QueryMetadata {
  /** The dataset as asked (`__all__` for every dataset). */
  dataset: string;
  datasets: string[];
  /** Window, unix seconds: [start_time, end_time). */
  start_time: number;
  end_time: number;
  /** Bucket width in seconds. */
  granularity: number;
  limit: number;
  /** Stored events in the window that matched the filters (not weighted by sample rate). */
  rows_scanned: number;
  /** Groups returned; `truncated` when the limit cut some off. */
  groups: number;
  truncated: boolean;
  /** Groups with a series (the first ones; the series stay under a million points). */
  series_groups: number;
  duration_ms: number;
}

/** Honeycomb's result shape plus Tend's metadata (and markers when a provider is set). */
export interface QueryResult {
  query: QuerySpec;
  data: QueryData;
  metadata: QueryMetadata;
  markers?: unknown[];
}

/** The datasets a query reads: one by name, or every dataset of the environment for `__all__`. */
export async function resolveDatasets(registry: DatasetRegistry, env: Environment, dataset: string): Promise<Dataset[]> {
  if (dataset.toLowerCase() === ALL_DATASETS) return registry.list(env.id);
  const found = await registry.find(env.id, dataset);
  if (!found) throw notFound(`dataset "${dataset}" does not exist in this environment`);
  return [found];
}

/** Plans a spec against the dataset(s) columns; 400 naming the field when it cannot run. */
export async function planFor(deps: QueryDeps, datasets: Dataset[], spec: QuerySpec, nowSeconds = windowNow()): Promise<QueryPlan> {
  const columns = mergeColumns(await Promise.all(datasets.map((d) => deps.store.columns(d.id))));
  return planQuery({ spec, datasetIds: datasets.map((d) => d.id), columns, nowSeconds });
}

/**
 * Runs a read with the time left before the deadline. The store's typed errors become clear
 * 4xx answers: a timeout 408, a value the engine cannot compute 400 naming `valueField`, the
 * part of the request whose expressions or values reached the engine (valueFieldOf). Other
 * errors are faults in Tend and stay 500s.
 */
export async function readWithin(store: EventStore, sql: string, params: unknown[], deadline: number, limitMs: number, valueField = 'query'): Promise<Row[]> {
  const left = deadline - Date.now();
  const tooSlow = () => new HttpError(408, `query took longer than its ${limitMs} ms limit: narrow the time range, add filters or remove breakdowns`);
  if (left <= 0) throw tooSlow();
  try {
    return await store.read(sql, params, { timeoutMs: left });
  } catch (err) {
    if (err instanceof ReadTimeoutError) throw tooSlow();
    if (err instanceof BadValueError) throw badRequest(`${valueField}: the database could not compute a value this request asks for: ${err.message}`);
    // UnknownColumnError cannot come from the request: the plan reads only columns it
    // resolved, and the store's source supplies every one of them. It stays a 500.
    throw err;
  }
}

/** A read through a fresh compiler of the store's: `build` writes the SQL, the compiler holds its parameters. */
export function compileAndRead(store: EventStore, build: (c: SqlCompiler) => string, deadline: number, limitMs: number, valueField?: string): Promise<Row[]> {
  const c = store.compiler();
  const sql = build(c);
  return readWithin(store, sql, c.params, deadline, limitMs, valueField);
}

/**
 * The field to name when the engine cannot compute a value: calculated fields are the
 * expressions that can overflow or fail to parse text; without them, what the engine
 * computes comes from `otherwise` (a query's calculations, a search's filters).
 */
export function valueFieldOf(spec: Pick<QuerySpec, 'calculated_fields'>, otherwise: string, at = 'calculated_fields'): string {
  return spec.calculated_fields?.length ? at : otherwise;
}

/** Runs a validated spec on a dataset (or `__all__`) of the environment. */
export async function runQuery(deps: QueryDeps, env: Environment, dataset: string, spec: QuerySpec, options: QueryOptions = {}): Promise<QueryResult> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  const deadline = started + timeoutMs;
  const datasets = await resolveDatasets(deps.datasets, env, dataset);
  const plan = await planFor(deps, datasets, spec, options.nowSeconds);
  const source = datasets.length ? await deps.store.source(plan.datasetIds, plan.window.startUs, plan.window.endUs, planColumns(plan)) : undefined;
  const start = plan.window.startUs / 1e6;
  const end = plan.window.endUs / 1e6;
  // Asked for beside the read, not after it: the metadata store answers while the events are read.
  const markers = deps.markers?.(env, datasets, start, end);
  // A read that fails first leaves them unawaited; their own failure is then not the answer's.
  markers?.catch(() => undefined);

  let totals: Row[] = [];
  const series: Row[] = [];
  if (source) {
    const read = (weighted: boolean) =>
      compileAndRead(deps.store, (c) => compileQuery(c, plan, source, { series: options.series ?? true, weighted }), deadline, timeoutMs, valueFieldOf(spec, 'calculations'));
    // Percentiles are exact unless some event stands for several: then they are weighed. The
    // exact statement answers the highest sample rate it read, so only sampled data reads twice.
    const approximate = options.approximatePercentiles ?? false;
    let rows = await read(approximate);
    if (!approximate && Number(rows[0]?.__max_w ?? 1) > 1) rows = await read(true);
    for (const r of rows) (r.t === null || r.t === undefined ? totals : series).push(r);
    // Without breakdowns or havings there is the one overall group even when no event
    // matched: an engine's totals row (ClickHouse's WITH TOTALS) may be left out then.
    if (totals.length === 0 && plan.groups.length === 0 && plan.havings.length === 0) totals = [{ __rows: 0 }];
  } else if (plan.groups.length === 0) {
    // No stored event can match: the one overall group, empty.
    totals = [{ __rows: 0 }];
  }

  const result: QueryResult = {
    query: spec,
    data: shapeResults(plan, totals, series, options.series ?? true),
    metadata: {
      dataset,
      datasets: datasets.map((d) => d.name),
      start_time: start,
      end_time: end,
      granularity: plan.granularity,
      limit: plan.limit,
      rows_scanned: Number(totals[0]?.__total_rows ?? 0),
      groups: totals.length,
      truncated: Number(totals[0]?.__groups ?? 0) > totals.length,
      series_groups: options.series === false ? 0 : Math.min(totals.length, seriesGroupLimit(plan)),
      duration_ms: 0,
    },
  };
  if (markers) result.markers = await markers;
  result.metadata.duration_ms = Date.now() - started;
  return result;
}
