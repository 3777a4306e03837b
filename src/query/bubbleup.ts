// BubbleUp: what is different about the selected events? For every column it compares the
// share of each top value among the selection with its share among the baseline (the other
// events the baseline query matches), and ranks columns by how much the two distributions
// differ: the total variation distance over the column's top values, an "other" bucket and
// the missing value (docs/queries.md, "BubbleUp").
//
// Work is bounded whatever the dataset's width or size: at most `max_columns` columns are
// examined, in batches of BATCH_COLUMNS per statement; each statement reads a uniform sample
// of at most `sample` events from each side (the compiler's sample(): reservoir sampling in
// DuckDB), casts the batch's values to text (numbers with many values go to decile bins) and
// unpivots them into one GROUP BY. Counts are weighted by sample rate.
import { z } from 'zod';
import { badRequest, validate } from '../http/index.js';
import { type Environment, type Row, type SqlCompiler } from '../store/index.js';
import { whereClause } from './compile.js';
import { call, columnsOf, combine, isNumeric, lit, type Expr } from './expr.js';
import { columnResolver, filterExpr, filtersExpr, mergeColumns, timeWindow, windowNow } from './plan.js';
import { FilterSchema, parseQuerySpec, QUERY_LIMITS, QuerySpecSchema } from './spec.js';
import { compileAndRead, DEFAULT_QUERY_TIMEOUT_MS, resolveDatasets, valueFieldOf, type QueryDeps, type QueryOptions } from './run.js';

/** Columns unpivoted by one statement. */
export const BATCH_COLUMNS = 50;
export const DEFAULT_MAX_COLUMNS = 200;
export const MAX_COLUMNS = 1000;
export const DEFAULT_SAMPLE = 100_000;
export const MAX_SAMPLE = 1_000_000;
export const DEFAULT_TOP = 10;
/** Numeric columns with more distinct values than this are compared by decile bins. */
export const MAX_NUMERIC_VALUES = 20;

const BaselineSchema = QuerySpecSchema.pick({
  filters: true, filter_combination: true, calculated_fields: true, time_range: true, start_time: true, end_time: true,
});

const SelectionSchema = z.object({
  /** A time range inside the baseline's window (Unix seconds). */
  start_time: z.number().int().min(0).nullish(),
  end_time: z.number().int().min(0).nullish(),
  /** A value range on a numeric column (or calculated field), both ends included. */
  column: z.string().min(1).nullish(),
  min: z.number().nullish(),
  max: z.number().nullish(),
  /** Any filter set, combined with AND (default) or OR; ANDed with the ranges above. */
  filters: z.array(FilterSchema).max(QUERY_LIMITS.maxFilters).nullish(),
  filter_combination: z.enum(['AND', 'OR']).nullish(),
});

export const BubbleUpSchema = z.object({
  baseline: BaselineSchema.nullish(),
  selection: SelectionSchema,
  /** Only these columns; every column (up to max_columns) when absent. */
  columns: z.array(z.string().min(1)).min(1).max(MAX_COLUMNS).nullish(),
  max_columns: z.number().int().min(1).max(MAX_COLUMNS).nullish(),
  /** Values listed per column. */
  top: z.number().int().min(1).max(100).nullish(),
  /** Events sampled from each side. */
  sample: z.number().int().min(100).max(MAX_SAMPLE).nullish(),
});
export type BubbleUpRequest = z.infer<typeof BubbleUpSchema>;

export interface ValueShare {
  /** The value (text), a bin like "[10, 20)" for binned numbers, or null for "missing". */
  value: string | null;
  selection: number;
  baseline: number;
}

export interface ColumnDifference {
  column: string;
  /** Total variation distance between the two distributions: 0 same, 1 disjoint. */
  score: number;
  /** The largest difference of one value's shares. */
  max_difference: number;
  binned: boolean;
  values: ValueShare[];
  /** Share of the events whose value is not among `values` (and not missing). */
  other: { selection: number; baseline: number };
}

export interface BubbleUpResult {
  selection: { count: number };
  baseline: { count: number };
  columns: ColumnDifference[];
  meta: {
    start_time: number;
    end_time: number;
    statistic: 'total_variation_distance';
    columns_examined: number;
    columns_total: number;
    sample_per_side: number;
    duration_ms: number;
  };
}

export function parseBubbleUp(json: unknown): BubbleUpRequest {
  const req = validate(BubbleUpSchema, json, 'bubbleup');
  const at = (prefix: string, fn: () => void) => {
    try {
      fn();
    } catch (err) {
      if (err instanceof Error && 'status' in err) err.message = `${prefix}.${err.message}`;
      throw err;
    }
  };
  at('baseline', () => parseQuerySpec(req.baseline ?? {}));
  const s = req.selection;
  at('selection', () => parseQuerySpec({ filters: s.filters, filter_combination: s.filter_combination }));
  const ranged = s.min != null || s.max != null;
  if (ranged && !s.column) throw badRequest('selection.column: min and max need the numeric column they apply to');
  if (s.column && !ranged) throw badRequest('selection.min: a selection on a column needs min, max or both');
  if (s.min != null && s.max != null && s.max < s.min) throw badRequest('selection.max: must not be below min');
  if (s.start_time != null && s.end_time != null && s.end_time <= s.start_time) throw badRequest('selection.end_time: must be after start_time');
  if (s.start_time == null && s.end_time == null && !ranged && !s.filters?.length) {
    throw badRequest('selection: give a time range (start_time, end_time), a value range (column with min, max) or filters');
  }
  return req;
}

interface Examined {
  name: string;
  /** SQL for the value as text (or its bin's index for binned numbers). */
  expr: Expr;
  binned: boolean;
  cuts: number[];
}

export async function bubbleUp(deps: QueryDeps, env: Environment, dataset: string, req: BubbleUpRequest, options: QueryOptions = {}): Promise<BubbleUpResult> {
  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  const datasets = await resolveDatasets(deps.datasets, env, dataset);
  const columnTypes = mergeColumns(await Promise.all(datasets.map((d) => deps.store.columns(d.id))));
  const baseline = req.baseline ?? {};
  const { start, end } = timeWindow(baseline, options.nowSeconds ?? windowNow());
  const window = { startUs: start * 1e6, endUs: end * 1e6 };
  const resolve = columnResolver(columnTypes, baseline.calculated_fields);
  const base = filtersExpr(baseline.filters, baseline.filter_combination, resolve);
  const selected = selectionExpr(req, resolve);
  const sample = req.sample ?? DEFAULT_SAMPLE;
  const top = req.top ?? DEFAULT_TOP;

  const all = req.columns ?? [...columnTypes.keys()];
  const names = all.slice(0, req.max_columns ?? (req.columns ? MAX_COLUMNS : DEFAULT_MAX_COLUMNS));
  const meta = {
    start_time: start, end_time: end, statistic: 'total_variation_distance' as const,
    columns_examined: names.length, columns_total: req.columns ? names.length : columnTypes.size, sample_per_side: sample,
  };
  const examined: Examined[] = names.map((name) => ({ name, expr: resolve(name), binned: false, cuts: [] }));
  const read = (build: (c: SqlCompiler) => string) => compileAndRead(deps.store, build, deadline, timeoutMs, valueFieldOf(baseline, 'selection', 'baseline.calculated_fields'));
  const source = await deps.store.source(datasets.map((d) => d.id), window.startUs, window.endUs, columnsOf([base, selected, ...examined.map((e) => e.expr)]));
  const finish = (r: Omit<BubbleUpResult, 'meta'>): BubbleUpResult => ({ ...r, meta: { ...meta, duration_ms: Math.round(performance.now() - started) } });
  if (!source) return finish({ selection: { count: 0 }, baseline: { count: 0 }, columns: [] });

  // Exact weighted counts of each side, and the numeric columns' distinct counts and deciles.
  const numeric = examined.filter((e) => isNumeric(e.expr.type));
  const [row] = await read((c) => {
    const w = c.weightColumn;
    const cols = [`sum(CASE WHEN ${selectedSql(c, selected)} THEN ${w} ELSE 0 END) AS ${c.ident('s')}`, `sum(CASE WHEN ${selectedSql(c, selected)} THEN 0 ELSE ${w} END) AS ${c.ident('b')}`];
    numeric.forEach((e, i) => {
      const x = c.expr(e.expr);
      cols.push(`${c.approxCountDistinct(x)} AS ${c.ident(`d${i}`)}`, `${c.approxQuantiles(x, DECILES)} AS ${c.ident(`q${i}`)}`);
    });
    return `SELECT ${cols.join(', ')} FROM ${source} WHERE ${whereClause(c, window, base)}`;
  });
  numeric.forEach((e, i) => {
    if (Number(row[`d${i}`] ?? 0) <= MAX_NUMERIC_VALUES) return;
    e.binned = true;
    // Deciles of an integer column arrive as BIGINT.
    const deciles = ((row[`q${i}`] as (number | bigint | null)[] | null) ?? []).filter((q) => q !== null).map(Number);
    e.cuts = [...new Set(deciles)].sort((a, b) => a - b);
  });
  const counts = { selection: { count: Number(row.s ?? 0) }, baseline: { count: Number(row.b ?? 0) } };
  if (counts.selection.count === 0 || counts.baseline.count === 0 || names.length === 0) return finish({ ...counts, columns: [] });

  const columns: ColumnDifference[] = [];
  for (let at = 0; at < examined.length; at += BATCH_COLUMNS) {
    const batch = examined.slice(at, at + BATCH_COLUMNS);
    columns.push(...summarize(batch, await read((c) => compareBatch(c, batch, source, window, base, selected, sample, top))));
  }
  columns.sort((a, b) => b.score - a.score || b.max_difference - a.max_difference || a.column.localeCompare(b.column));
  return finish({ ...counts, columns });
}

/** The selection as one predicate: time range AND value range AND its filters. */
function selectionExpr(req: BubbleUpRequest, resolve: (name: string) => Expr): Expr {
  const s = req.selection;
  const parts: Expr[] = [];
  const time = call('event_time', [], 'float');
  if (s.start_time != null) parts.push(call('gte', [time, lit(s.start_time)], 'boolean'));
  if (s.end_time != null) parts.push(call('lt', [time, lit(s.end_time)], 'boolean'));
  if (s.column) {
    const column = resolve(s.column);
    if (column.type !== 'null' && !isNumeric(column.type)) throw badRequest(`selection.column: "${s.column}" holds ${column.type} values; a value range needs numbers`);
    if (s.min != null) parts.push(filterExpr({ column: s.column, op: '>=', value: s.min }, 0, resolve));
    if (s.max != null) parts.push(filterExpr({ column: s.column, op: '<=', value: s.max }, 0, resolve));
  }
  if (s.filters?.length) parts.push(filtersExpr(s.filters, s.filter_combination, resolve));
  return combine('and', parts);
}

const DECILES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/** The selection predicate as SQL, false where it is null. */
const selectedSql = (c: SqlCompiler, selected: Expr) => `COALESCE(${c.expr(selected)}, ${c.bool(false)})`;

/** One statement: sample both sides, unpivot the batch's values, count each value per side. */
function compareBatch(
  c: SqlCompiler,
  batch: Examined[],
  source: string,
  window: { startUs: number; endUs: number },
  base: Expr,
  selected: Expr,
  sample: number,
  top: number,
): string {
  const id = (n: string) => c.ident(n);
  // Values are sampled raw, then turned into text (or bin numbers): only sampled rows pay for it.
  const raw = batch.map((e, i) => `${e.expr.type === 'null' ? c.nullOf('string') : c.expr(e.expr)} AS ${id(`r${i}`)}`).join(', ');
  const valueSql = (e: Examined, i: number) => {
    const x = id(`r${i}`);
    if (!e.binned) return c.cast(x, 'string');
    // Bin index: the number of cut points at or below the value (0 .. cuts.length).
    const steps = e.cuts.map((q) => `CASE WHEN ${x} >= ${c.param(q, 'float')} THEN 1 ELSE 0 END`).join(' + ');
    return `CASE WHEN ${x} IS NULL THEN NULL ELSE ${c.cast(steps || '0', 'string')} END`;
  };
  const where = whereClause(c, window, base);
  const sel = selectedSql(c, selected);
  const side = (flag: boolean) =>
    c.sample(`SELECT ${c.bool(flag)} AS ${id('sel')}, ${c.weightColumn} AS ${id('w')}, ${raw} FROM ${source} WHERE ${where} AND ${flag ? '' : 'NOT '}${sel}`, sample);
  const text = batch.map((e, i) => `${valueSql(e, i)} AS ${id(`k${i}`)}`).join(', ');
  const keys = batch.map((_, i) => `k${i}`);
  const own = c.valueSharesStatement(`${side(true)} UNION ALL ${side(false)}`, `${id('sel')}, ${id('w')}, ${text}`, keys, top);
  if (own !== undefined) return own;
  return `
    WITH ${id('sampled')} AS (${side(true)} UNION ALL ${side(false)}),
    ${id('picked')} AS (SELECT ${id('sel')}, ${id('w')}, ${text} FROM ${id('sampled')}),
    ${id('long')} AS (${c.unpivot(id('picked'), [id('sel'), id('w')], keys, id('k'), id('v'))}),
    ${id('counts')} AS (SELECT ${id('k')}, ${id('v')}, sum(CASE WHEN ${id('sel')} THEN ${id('w')} ELSE 0 END) AS ${id('s')}, sum(CASE WHEN ${id('sel')} THEN 0 ELSE ${id('w')} END) AS ${id('b')} FROM ${id('long')} GROUP BY ${id('k')}, ${id('v')}),
    ${id('ranked')} AS (SELECT *, sum(${id('s')}) OVER (PARTITION BY ${id('k')}) AS ${id('st')}, sum(${id('b')}) OVER (PARTITION BY ${id('k')}) AS ${id('bt')} FROM ${id('counts')}),
    ${id('shares')} AS (SELECT *, row_number() OVER (PARTITION BY ${id('k')} ORDER BY ${id('v')} IS NULL, ${id('s')} / NULLIF(${id('st')}, 0) + ${id('b')} / NULLIF(${id('bt')}, 0) DESC, ${id('v')}) AS ${id('rn')} FROM ${id('ranked')})
    SELECT ${id('k')}, ${id('v')}, ${id('s')} / NULLIF(${id('st')}, 0) AS ${id('ps')}, ${id('b')} / NULLIF(${id('bt')}, 0) AS ${id('pb')} FROM ${id('shares')}
    WHERE ${id('rn')} <= ${c.int(top)} OR ${id('v')} IS NULL`;
}

/** The rows of compareBatch -> each column's difference between the sides. */
function summarize(batch: Examined[], rows: Row[]): ColumnDifference[] {
  return batch.map((e, i) => {
    const mine = rows.filter((r) => r.k === `k${i}`);
    const values: ValueShare[] = mine.map((r) => ({ value: label(e, r.v as string | null), selection: Number(r.ps ?? 0), baseline: Number(r.pb ?? 0) }));
    const listed = values.reduce((acc, v) => ({ s: acc.s + v.selection, b: acc.b + v.baseline }), { s: 0, b: 0 });
    const other = { selection: Math.max(0, 1 - listed.s), baseline: Math.max(0, 1 - listed.b) };
    const diffs = [...values.map((v) => Math.abs(v.selection - v.baseline)), Math.abs(other.selection - other.baseline)];
    return {
      column: e.name,
      score: round(diffs.reduce((a, b) => a + b, 0) / 2),
      max_difference: round(Math.max(...diffs)),
      binned: e.binned,
      values: values.map((v) => ({ ...v, selection: round(v.selection), baseline: round(v.baseline) })),
      other: { selection: round(other.selection), baseline: round(other.baseline) },
    };
  });
}

/** A binned value's range as text: "< 12.5", "[12.5, 40)", ">= 900". */
function label(e: Examined, v: string | null): string | null {
  if (v === null || !e.binned) return v;
  const i = Number(v);
  const lo = e.cuts[i - 1];
  const hi = e.cuts[i];
  if (lo === undefined) return `< ${hi}`;
  if (hi === undefined) return `>= ${lo}`;
  return `[${lo}, ${hi})`;
}

const round = (n: number) => Math.round(n * 1e6) / 1e6;
