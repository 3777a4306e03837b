// spec -> plan: resolves names against the dataset's columns and calculated fields, types every
// value, fixes the time window and granularity, and checks what only the columns can tell (a
// SUM over a string column, an order on a calculation the query does not make). The plan is
// engine-free; the store's compiler turns it into SQL (compile.ts).
import { badRequest } from '../http/index.js';
import type { ColumnType } from '../store/index.js';
import { parseCalculatedField } from './calculated-fields.js';
import { call, col, combine, FALSE, isNumeric, lit, NULL, not, TRUE, toStringExpr, type Expr, type Literal, type ValueType } from './expr.js';
import {
  calculationKey, PERCENTILES, QUERY_LIMITS,
  type CalculationOp, type Filter, type QuerySpec,
} from './spec.js';

/** Span duration column CONCURRENCY reads (Honeycomb's tracing convention). */
export const DURATION_COLUMN = 'duration_ms';
const NUMERIC_OPS: readonly CalculationOp[] = [
  'SUM', 'AVG', 'MIN', 'MAX', 'HEATMAP', 'RATE_AVG', 'RATE_SUM', 'RATE_MAX', ...(Object.keys(PERCENTILES) as CalculationOp[]),
];
/** Ops computed per time bucket or over buckets: they cannot be ordered or filtered on. */
const UNORDERABLE: readonly CalculationOp[] = ['HEATMAP', 'RATE_AVG', 'RATE_SUM', 'RATE_MAX', 'CONCURRENCY'];

export interface PlannedCalc {
  /** Key in results: `COUNT`, `P99(duration_ms)` or the calculation's name. */
  key: string;
  op: CalculationOp;
  /** The value aggregated (absent for COUNT and CONCURRENCY). */
  input?: Expr;
  /** For percentiles: 0.99 for P99. */
  quantile?: number;
}

export interface PlannedGroup {
  name: string;
  expr: Expr;
}

export interface TimeWindow {
  /** Inclusive start, microseconds since the epoch. */
  startUs: number;
  /** Exclusive end, microseconds since the epoch. */
  endUs: number;
}

export interface QueryPlan {
  datasetIds: string[];
  window: TimeWindow;
  /** Bucket width in seconds; buckets start at epoch multiples of it. */
  granularity: number;
  /** The filters as one predicate (time is applied separately from `window`). */
  where: Expr;
  groups: PlannedGroup[];
  calcs: PlannedCalc[];
  havings: { calc: number; op: '=' | '!=' | '>' | '>=' | '<' | '<='; value: number }[];
  orders: { group?: number; calc?: number; descending: boolean }[];
  limit: number;
  /** Span duration in ms, for CONCURRENCY. */
  duration: Expr;
}

/** Column name -> type. With several datasets, a name typed differently reads as string. */
export type ColumnTypes = Map<string, ColumnType>;

export function mergeColumns(lists: { name: string; type: ColumnType }[][]): ColumnTypes {
  const out: ColumnTypes = new Map();
  for (const list of lists) {
    for (const c of list) {
      const seen = out.get(c.name);
      if (seen === undefined) out.set(c.name, c.type);
      else if (seen !== c.type) out.set(c.name, isNumeric(seen) && isNumeric(c.type) ? 'float' : 'string');
    }
  }
  return out;
}

/**
 * Resolves `$name` / a column name: calculated fields first (they may refer to each other,
 * not in a cycle), then dataset columns; an unknown name is null (Honeycomb's behaviour: a
 * filter on it matches nothing, a breakdown on it is one null group).
 */
export function columnResolver(columns: ColumnTypes, calculatedFields: QuerySpec['calculated_fields'] = []): (name: string) => Expr {
  const fields = new Map((calculatedFields ?? []).map((f, i) => [f.name, { f, i }]));
  const done = new Map<string, Expr>();
  const busy = new Set<string>();
  const resolve = (name: string): Expr => {
    const cf = fields.get(name);
    if (cf) {
      const hit = done.get(name);
      if (hit) return hit;
      if (busy.has(name)) throw badRequest(`calculated_fields[${cf.i}].expression: "${name}" refers to itself`);
      busy.add(name);
      const e = parseCalculatedField(cf.f.expression, resolve, `calculated_fields[${cf.i}].expression`);
      busy.delete(name);
      done.set(name, e);
      return e;
    }
    const type = columns.get(name);
    return type ? col(name, type) : NULL;
  };
  return resolve;
}

const NEGATIVE_OPS = new Set(['!=', 'does-not-start-with', 'does-not-end-with', 'does-not-contain', 'not-in']);

/** Converts a filter value to the column's type, or names why it cannot be. */
function typedValue(v: unknown, type: ValueType, field: string, column: string): Literal {
  if (type === 'integer' || type === 'float') {
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (!Number.isFinite(n)) throw badRequest(`${field}: column "${column}" holds numbers; ${JSON.stringify(v)} is not a number`);
    return n;
  }
  if (type === 'boolean') {
    if (v === true || v === 'true') return true;
    if (v === false || v === 'false') return false;
    throw badRequest(`${field}: column "${column}" holds booleans; ${JSON.stringify(v)} is not true or false`);
  }
  return String(v);
}

/** One filter as a predicate. Negative operators also match events without the column. */
export function filterExpr(f: Filter, index: number, resolve: (name: string) => Expr): Expr {
  const c = resolve(f.column);
  const field = `filters[${index}].value`;
  if (f.op === 'exists') return c.type === 'null' ? FALSE : call('not_null', [c], 'boolean');
  if (f.op === 'does-not-exist') return c.type === 'null' ? TRUE : call('is_null', [c], 'boolean');
  const negative = NEGATIVE_OPS.has(f.op);
  if (c.type === 'null') return negative ? TRUE : FALSE;
  let positive: Expr;
  switch (f.op) {
    case '=': case '!=': case '>': case '>=': case '<': case '<=': {
      const fn = ({ '=': 'eq', '!=': 'eq', '>': 'gt', '>=': 'gte', '<': 'lt', '<=': 'lte' } as const)[f.op];
      positive = call(fn, [c, lit(typedValue(f.value, c.type, field, f.column))], 'boolean');
      break;
    }
    case 'in': case 'not-in': {
      const values = (f.value as unknown[]).map((v) => lit(typedValue(v, c.type, field, f.column)));
      positive = call('in', [c, ...values], 'boolean');
      break;
    }
    default: {
      const fn = f.op.endsWith('start-with') || f.op === 'starts-with' ? 'starts_with' : f.op.endsWith('end-with') || f.op === 'ends-with' ? 'ends_with' : 'contains';
      positive = call(fn, [toStringExpr(c), lit(String(f.value))], 'boolean');
    }
  }
  return negative ? combine('or', [call('is_null', [c], 'boolean'), not(positive)]) : positive;
}

/** The filter list as one predicate, combined with AND (default) or OR. */
export function filtersExpr(filters: QuerySpec['filters'], combination: QuerySpec['filter_combination'], resolve: (name: string) => Expr): Expr {
  const parts = (filters ?? []).map((f, i) => filterExpr(f, i, resolve));
  if (parts.length === 0) return TRUE;
  return combine(combination === 'OR' ? 'or' : 'and', parts);
}

const NICE_GRANULARITIES = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 345600, 604800];

/** The smallest round granularity that gives at most 300 points (so 100 to 300 on long windows). */
export function defaultGranularity(rangeSeconds: number): number {
  return NICE_GRANULARITIES.find((g) => rangeSeconds / g <= 300) ?? Math.ceil(rangeSeconds / 300);
}

/**
 * "Now" for windows that end now, in whole seconds: the end of the current second. Windows
 * are [start, end), and every event acknowledged before the query began is stamped at or
 * before this moment, so such a window holds all of them (with the start of the current
 * second, events of the last fraction of a second were left out).
 */
export function windowNow(nowMs = Date.now()): number {
  return Math.floor(nowMs / 1000) + 1;
}

/** The query's window in whole seconds, from start_time / end_time / time_range and now. */
export function timeWindow(spec: QuerySpec, nowSeconds: number): { start: number; end: number } {
  const { start_time: s, end_time: e, time_range: r } = spec;
  if (s != null && e != null && r != null && e - s !== r) {
    throw badRequest('time_range: give at most two of start_time, end_time and time_range (they disagree)');
  }
  let start: number;
  let end: number;
  if (s != null && e != null) [start, end] = [s, e];
  else if (s != null) [start, end] = [s, s + (r ?? QUERY_LIMITS.defaultTimeRangeSeconds)];
  else if (e != null) [start, end] = [e - (r ?? QUERY_LIMITS.defaultTimeRangeSeconds), e];
  else [start, end] = [nowSeconds - (r ?? QUERY_LIMITS.defaultTimeRangeSeconds), nowSeconds];
  if (end - start > QUERY_LIMITS.maxTimeRangeSeconds) {
    const field = r != null ? 'time_range' : 'end_time';
    throw badRequest(`${field}: the window is ${end - start} seconds; a query covers at most ${QUERY_LIMITS.maxTimeRangeSeconds} seconds (${QUERY_LIMITS.maxTimeRangeSeconds / 86400} days)`);
  }
  if (start < 0) throw badRequest('start_time: the window starts before 1970');
  return { start, end };
}

export interface PlanInput {
  spec: QuerySpec;
  datasetIds: string[];
  columns: ColumnTypes;
  nowSeconds: number;
}

/** Builds the plan; throws 400 naming the field for anything the columns rule out. */
export function planQuery({ spec, datasetIds, columns, nowSeconds }: PlanInput): QueryPlan {
  const resolve = columnResolver(columns, spec.calculated_fields);
  // Parse every calculated field, used or not, so a broken one is reported.
  for (const f of spec.calculated_fields ?? []) resolve(f.name);

  const { start, end } = timeWindow(spec, nowSeconds);
  const range = end - start;
  const granularity = spec.granularity ?? defaultGranularity(range);
  if (granularity > range) throw badRequest(`granularity: ${granularity} seconds is longer than the window (${range} seconds)`);
  if (Math.ceil(range / granularity) > QUERY_LIMITS.maxPoints) {
    throw badRequest(`granularity: ${granularity} seconds gives more than ${QUERY_LIMITS.maxPoints} points over ${range} seconds; use at least ${Math.ceil(range / QUERY_LIMITS.maxPoints)}`);
  }

  const specCalcs = spec.calculations?.length ? spec.calculations : [{ op: 'COUNT' as const }];
  const calcs: PlannedCalc[] = specCalcs.map((c, i) => {
    const planned: PlannedCalc = { key: calculationKey(c), op: c.op };
    if (c.column) {
      const input = resolve(c.column);
      if (NUMERIC_OPS.includes(c.op) && input.type !== 'null' && !isNumeric(input.type)) {
        throw badRequest(`calculations[${i}].column: "${c.column}" holds ${input.type} values; ${c.op} needs numbers`);
      }
      // An unknown column aggregates as no values; typed so numeric SQL accepts it.
      planned.input = input.type === 'null' && NUMERIC_OPS.includes(c.op) ? { kind: 'literal', value: null, type: 'float' } : input;
    }
    if (c.op in PERCENTILES) planned.quantile = PERCENTILES[c.op as keyof typeof PERCENTILES];
    return planned;
  });
  const findCalc = (op: CalculationOp, column: string | null | undefined, field: string): number => {
    const at = specCalcs.findIndex((c) => c.op === op && (c.column ?? null) === (column ?? null));
    const label = column ? `${op}(${column})` : op;
    if (at < 0) throw badRequest(`${field}: ${label} is not among the query's calculations`);
    if (UNORDERABLE.includes(op)) throw badRequest(`${field}: results cannot be ordered or filtered by ${op}`);
    return at;
  };

  const breakdowns = spec.breakdowns ?? [];
  const groups = breakdowns.map((name) => ({ name, expr: resolve(name) }));
  const havings = (spec.havings ?? []).map((h, i) => ({ calc: findCalc(h.calculate_op, h.column, `havings[${i}]`), op: h.op, value: h.value }));
  const orders = (spec.orders ?? []).map((o, i) => {
    const descending = o.order === 'descending';
    if (o.op) return { calc: findCalc(o.op, o.column, `orders[${i}]`), descending };
    const g = breakdowns.indexOf(o.column!);
    if (g < 0) throw badRequest(`orders[${i}].column: "${o.column}" is not among the breakdowns`);
    return { group: g, descending };
  });
  if (orders.length === 0) {
    // Honeycomb's default: the first calculation, largest first.
    const first = calcs.findIndex((c) => !UNORDERABLE.includes(c.op));
    if (first >= 0) orders.push({ calc: first, descending: true });
  }

  return {
    datasetIds,
    window: { startUs: start * 1e6, endUs: end * 1e6 },
    granularity,
    where: filtersExpr(spec.filters, spec.filter_combination, resolve),
    groups,
    calcs,
    havings,
    orders,
    limit: spec.limit ?? QUERY_LIMITS.defaultLimit,
    duration: resolve(DURATION_COLUMN),
  };
}
