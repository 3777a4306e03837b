// Ingest: protocol adapters over one shared pipeline (normalize -> bounded queue -> group commit).
import type { FastifyInstance } from 'fastify';
import type { IngestContext } from './context.js';
import { registerHoneycombRoutes } from './honeycomb/routes.js';
import { registerOtlpHttpRoutes, type TraceIndexWriter } from './otlp/index.js';

export { createIngestContext, type IngestContext } from './context.js';
export { IngestPipeline, OverloadedError, type Written } from './pipeline.js';
export { normalizeEvent } from './normalize.js';
export { parseEventTime } from './event-time.js';
export { startOtlpGrpcServer, type OtlpGrpcServer, type TraceIndexWriter, type TraceRef } from './otlp/index.js';

export function registerIngestRoutes(app: FastifyInstance, ctx: IngestContext, traceIndex?: TraceIndexWriter): void {
  registerHoneycombRoutes(app, ctx);
  registerOtlpHttpRoutes(app, { ingest: ctx, traceIndex });
}
