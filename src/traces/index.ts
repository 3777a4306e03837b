// Traces: the trace index written at ingest and the trace API that reads a trace as a tree.
export { TraceIndex, type TraceLocation } from './trace-index.js';
export { registerTraceRoutes } from './routes.js';
export { readTraceRows, type TraceSources } from './trace-reader.js';
export { buildTraceTree, MAX_SPANS, type TraceTree, type SpanNode } from './trace-tree.js';
