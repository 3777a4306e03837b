// The query engine's public face: the specification (zod), planning, SQL compilation per
// dialect, running a query, and the routes. BubbleUp and raw event search build their SQL
// through compilerFor() + whereClause() so they obey the same quoting and parameter rules.
export {
  QuerySpecSchema, parseQuerySpec, calculationKey,
  CALCULATION_OPS, FILTER_OPS, HAVING_OPS, COLUMNLESS_OPS, PERCENTILES, QUERY_LIMITS,
  type QuerySpec, type Calculation, type Filter, type CalculationOp, type FilterOp,
} from './spec.js';
export {
  planQuery, filtersExpr, filterExpr, columnResolver, mergeColumns, timeWindow, defaultGranularity,
  type QueryPlan, type PlannedCalc, type PlannedGroup, type TimeWindow, type ColumnTypes,
} from './plan.js';
export type { Expr, ValueType } from './expr.js';
export { compilerFor, SqlCompiler, DuckDbCompiler, type CompiledSql } from './dialects/index.js';
export { whereClause, compileQuery, compileMaxSampleRate, PERCENTILE_ACCURACY, HEATMAP_BUCKETS, type CompileOptions } from './compile.js';
export {
  runQuery, planFor, resolveDatasets, readWithin, DEFAULT_QUERY_TIMEOUT_MS,
  type QueryDeps, type QueryOptions, type QueryResult, type QueryMetadata, type MarkerProvider,
} from './run.js';
export type { QueryData, SeriesPoint, ResultRow, ResultValue, HeatmapValue } from './results.js';
export { registerQueryRoutes, MAX_QUERY_TIMEOUT_MS } from './routes.js';
export { QueryStore } from './query-store.js';
export { registerBubbleUpRoutes } from './bubbleup-routes.js';
export { bubbleUp, parseBubbleUp, type BubbleUpRequest, type BubbleUpResult, type ColumnDifference } from './bubbleup.js';
export { registerEventSearchRoutes } from './event-search-routes.js';
export { searchEvents, parseEventSearch, type EventSearch, type EventSearchResult } from './event-search.js';
