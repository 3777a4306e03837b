// GET /api/v1/traces/:traceId — one trace as a tree, from the datasets of the key's environment.
import type { FastifyInstance } from 'fastify';
import { principalOf } from '../auth/index.js';
import { badRequest, notFound } from '../http/index.js';
import { readTraceRows, type TraceSources } from './trace-reader.js';
import { buildTraceTree } from './trace-tree.js';

const TRACE_ID = /^[0-9a-f]{32}$/;

export function registerTraceRoutes(app: FastifyInstance, src: TraceSources): void {
  app.get<{ Params: { traceId: string } }>('/api/v1/traces/:traceId', async (request) => {
    const traceId = request.params.traceId.toLowerCase();
    if (!TRACE_ID.test(traceId)) throw badRequest(`traceId: expected 32 hex characters, got "${request.params.traceId.slice(0, 80)}"`);
    const rows = await readTraceRows(src, principalOf(request).env.id, traceId);
    const tree = buildTraceTree(traceId, rows);
    if (tree.span_count === 0 && tree.logs.length === 0) throw notFound(`trace ${traceId} was not found in this environment`);
    return tree;
  });
}
