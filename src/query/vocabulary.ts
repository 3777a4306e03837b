// The query specification's vocabulary: the ops and the names results give calculations. No
// imports, so the web app (web/) bundles this very file for its menus instead of a copy.

/** Percentile ops and the quantile each stands for. */
export const PERCENTILES = {
  P001: 0.001, P01: 0.01, P05: 0.05, P10: 0.1, P20: 0.2, P25: 0.25, P50: 0.5,
  P75: 0.75, P80: 0.8, P90: 0.9, P95: 0.95, P99: 0.99, P999: 0.999,
} as const;

export const CALCULATION_OPS = [
  'COUNT', 'SUM', 'AVG', 'MIN', 'MAX', 'COUNT_DISTINCT',
  ...(Object.keys(PERCENTILES) as (keyof typeof PERCENTILES)[]),
  'HEATMAP', 'RATE_AVG', 'RATE_SUM', 'RATE_MAX', 'CONCURRENCY',
] as const;
export type CalculationOp = (typeof CALCULATION_OPS)[number];

/** Ops that take no column. */
export const COLUMNLESS_OPS: readonly CalculationOp[] = ['COUNT', 'CONCURRENCY'];

export const FILTER_OPS = [
  '=', '!=', '>', '>=', '<', '<=',
  'starts-with', 'does-not-start-with', 'ends-with', 'does-not-end-with',
  'contains', 'does-not-contain', 'exists', 'does-not-exist', 'in', 'not-in',
] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

export const HAVING_OPS = ['=', '!=', '>', '>=', '<', '<='] as const;

/** The key a calculation has in results: its name, `COUNT`, or `OP(column)`. */
export function calculationKey(c: { op: CalculationOp; column?: string | null; name?: string | null }): string {
  if (c.name) return c.name;
  return c.column ? `${c.op}(${c.column})` : c.op;
}
