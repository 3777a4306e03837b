// Traces: the trace index written at ingest and the trace API that reads a trace as a tree.
export { TraceIndex, type TraceLocation } from './trace-index.js';
export { registerTraceRoutes } from './routes.js';
export type { TraceTree, SpanNode } from './trace-tree.js';
