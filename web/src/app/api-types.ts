// The API's types, taken from the server's own modules (type-only: nothing of the server is
// bundled). A change to a zod schema on the server is a type error here.
export type { QuerySpec, Calculation, Filter, CalculationOp, FilterOp } from '../../../src/query/spec.js';
export type { QueryData, SeriesPoint, ResultRow, ResultValue, HeatmapValue } from '../../../src/query/results.js';
export type { QueryResult } from '../../../src/query/run.js';
export type { EventSearch, EventSearchResult } from '../../../src/query/event-search.js';
export type { BubbleUpRequest, BubbleUpResult, ColumnDifference } from '../../../src/query/bubbleup.js';
export type { TraceTree, SpanNode, Annotation } from '../../../src/traces/trace-tree.js';
export type { Role } from '../../../src/auth/permissions.js';
