// The query specification: Honeycomb's Query Specification JSON, validated by zod. This schema
// is the single source of truth for what a query may say; plan.ts turns a valid spec into a
// normalized plan once the dataset's columns are known.
import { z } from 'zod';
import { badRequest, validate } from '../http/index.js';
import { CALCULATION_OPS, COLUMNLESS_OPS, FILTER_OPS, HAVING_OPS } from './vocabulary.js';

export { PERCENTILES, CALCULATION_OPS, COLUMNLESS_OPS, FILTER_OPS, HAVING_OPS, calculationKey, type CalculationOp, type FilterOp } from './vocabulary.js';

/** Limits every query obeys (docs/queries.md, "Limits"). */
export const QUERY_LIMITS = {
  defaultLimit: 1000,
  maxLimit: 10_000,
  /** Window used when the spec gives no time: Honeycomb's default, two hours. */
  defaultTimeRangeSeconds: 7200,
  /** Longest window one query may cover. */
  maxTimeRangeSeconds: 62 * 86_400,
  /** Most points a series may have (granularity at least window / 1000, as Honeycomb). */
  maxPoints: 1000,
  /** Most points (groups x buckets) in an answer's series: later groups get totals only. */
  maxSeriesPoints: 1_000_000,
  maxBreakdowns: 100,
  maxCalculations: 100,
  maxFilters: 100,
  maxInValues: 1000,
} as const;

const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const CalculationSchema = z.object({
  op: z.enum(CALCULATION_OPS),
  column: z.string().min(1).nullish(),
  /** The key this calculation has in results; defaults to `OP(column)` or `COUNT`. */
  name: z.string().min(1).max(255).nullish(),
});

export const FilterSchema = z.object({
  column: z.string().min(1),
  op: z.enum(FILTER_OPS),
  value: z.union([scalar, z.array(scalar).max(QUERY_LIMITS.maxInValues)]).nullish(),
});

export const OrderSchema = z.object({
  op: z.enum(CALCULATION_OPS).nullish(),
  column: z.string().min(1).nullish(),
  order: z.enum(['ascending', 'descending']).nullish(),
});

export const HavingSchema = z.object({
  calculate_op: z.enum(CALCULATION_OPS),
  column: z.string().min(1).nullish(),
  op: z.enum(HAVING_OPS),
  value: z.number(),
});

export const CalculatedFieldSchema = z.object({
  name: z.string().min(1).max(255),
  expression: z.string().min(1).max(10_000),
});

const unixSeconds = z.number().int().min(0).max(32_503_680_000);

export const QuerySpecSchema = z.object({
  calculations: z.array(CalculationSchema).max(QUERY_LIMITS.maxCalculations).nullish(),
  filters: z.array(FilterSchema).max(QUERY_LIMITS.maxFilters).nullish(),
  filter_combination: z.enum(['AND', 'OR']).nullish(),
  breakdowns: z.array(z.string().min(1)).max(QUERY_LIMITS.maxBreakdowns).nullish(),
  orders: z.array(OrderSchema).max(QUERY_LIMITS.maxCalculations).nullish(),
  havings: z.array(HavingSchema).max(QUERY_LIMITS.maxCalculations).nullish(),
  limit: z.number().int().min(1).max(QUERY_LIMITS.maxLimit).nullish(),
  time_range: z.number().int().min(1).nullish(),
  start_time: unixSeconds.nullish(),
  end_time: unixSeconds.nullish(),
  granularity: z.number().int().min(1).nullish(),
  calculated_fields: z.array(CalculatedFieldSchema).max(100).nullish(),
});

/** A query as the user wrote it (Honeycomb's Query Specification). */
export type QuerySpec = z.infer<typeof QuerySpecSchema>;
export type Calculation = z.infer<typeof CalculationSchema>;
export type Filter = z.infer<typeof FilterSchema>;

/**
 * Validates a query specification; throws HttpError 400 naming the first field at fault,
 * e.g. `calculations[1].column: P99 needs a column`.
 */
export function parseQuerySpec(json: unknown): QuerySpec {
  const spec = validate(QuerySpecSchema, json, 'query');
  spec.calculations?.forEach((c, i) => {
    const needsColumn = !COLUMNLESS_OPS.includes(c.op);
    if (needsColumn && !c.column) throw badRequest(`calculations[${i}].column: ${c.op} needs a column`);
    if (!needsColumn && c.column) throw badRequest(`calculations[${i}].column: ${c.op} takes no column`);
  });
  spec.filters?.forEach((f, i) => {
    const unary = f.op === 'exists' || f.op === 'does-not-exist';
    const list = f.op === 'in' || f.op === 'not-in';
    if (unary) return;
    if (f.value === undefined || f.value === null) throw badRequest(`filters[${i}].value: ${f.op} needs a value`);
    if (list && !Array.isArray(f.value)) throw badRequest(`filters[${i}].value: ${f.op} needs an array of values`);
    if (list && (f.value as unknown[]).length === 0) throw badRequest(`filters[${i}].value: ${f.op} needs at least one value`);
    if (!list && Array.isArray(f.value)) throw badRequest(`filters[${i}].value: ${f.op} takes one value, not an array`);
  });
  spec.havings?.forEach((h, i) => {
    const needsColumn = !COLUMNLESS_OPS.includes(h.calculate_op);
    if (needsColumn && !h.column) throw badRequest(`havings[${i}].column: ${h.calculate_op} needs a column`);
  });
  spec.orders?.forEach((o, i) => {
    if (!o.op && !o.column) throw badRequest(`orders[${i}]: give an op (a calculation) or a column (a breakdown)`);
  });
  const names = new Set<string>();
  spec.calculated_fields?.forEach((f, i) => {
    if (names.has(f.name)) throw badRequest(`calculated_fields[${i}].name: "${f.name}" is defined twice`);
    names.add(f.name);
  });
  if (spec.start_time != null && spec.end_time != null && spec.end_time <= spec.start_time) {
    throw badRequest('end_time: must be after start_time');
  }
  return spec;
}
