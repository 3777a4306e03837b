// Ingest: protocol adapters over one shared pipeline (normalize -> bounded queue -> group commit).
import type { FastifyInstance } from 'fastify';
import type { IngestContext } from './context.js';
import { registerHoneycombRoutes } from './honeycomb/routes.js';

export { createIngestContext, type IngestContext } from './context.js';
export { IngestPipeline, OverloadedError } from './pipeline.js';
export { normalizeEvent } from './normalize.js';
export { parseEventTime } from './event-time.js';

export function registerIngestRoutes(app: FastifyInstance, ctx: IngestContext): void {
  registerHoneycombRoutes(app, ctx);
}
