// The query engine's public face: the specification (zod), running a query, and the routes
// (queries, BubbleUp, raw event search). Inside the folder, BubbleUp and event search build their
// SQL through the same compiler pieces, so they obey the same quoting and parameter rules.
export {
  QuerySpecSchema, parseQuerySpec, calculationKey,
  CALCULATION_OPS, FILTER_OPS, HAVING_OPS, COLUMNLESS_OPS, PERCENTILES, QUERY_LIMITS,
  type QuerySpec, type Calculation, type Filter, type CalculationOp, type FilterOp,
} from './spec.js';
export { PERCENTILE_ACCURACY, HEATMAP_BUCKETS } from './compile.js';
// For an engine whose compiler writes the whole aggregate statement (SqlCompiler.queryStatement).
export type { CompileOptions } from './compile.js';
export type { QueryPlan } from './plan.js';
// The vocabulary the store's compilers turn into SQL.
export type { Expr, Fn, Literal, ValueType } from './expr.js';
export type { TimeWindow } from './plan.js';
export {
  runQuery, readWithin, compileAndRead, DEFAULT_QUERY_TIMEOUT_MS,
  type QueryDeps, type QueryOptions, type QueryResult, type QueryMetadata, type MarkerProvider,
} from './run.js';
export type { QueryData, SeriesPoint, ResultRow, ResultValue, HeatmapValue } from './results.js';
export { registerQueryRoutes, MAX_QUERY_TIMEOUT_MS } from './routes.js';
export { registerBubbleUpRoutes } from './bubbleup-routes.js';
// Deploy reports run BubbleUp on the errors after a deploy.
export { bubbleUp, type BubbleUpResult, type ColumnDifference } from './bubbleup.js';
export { registerEventSearchRoutes } from './event-search-routes.js';
export { searchEvents, type EventSearch, type EventSearchResult } from './event-search.js';
export { parseCalculatedField } from './calculated-fields.js';
