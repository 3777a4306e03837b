// POST /api/v1/bubbleup/:dataset: how a selection of events differs from the baseline (admin key).
import type { FastifyInstance } from 'fastify';
import { principalOf } from '../auth/index.js';
import { parseJsonBody } from '../http/index.js';
import { bubbleUp, parseBubbleUp } from './bubbleup.js';
import { timeoutOf } from './routes.js';
import type { QueryDeps } from './run.js';

export function registerBubbleUpRoutes(app: FastifyInstance, deps: QueryDeps): void {
  app.post<{ Params: { dataset: string } }>('/api/v1/bubbleup/:dataset', async (request) => {
    const req = parseBubbleUp(parseJsonBody(request.body));
    return bubbleUp(deps, principalOf(request).env, request.params.dataset, req, { timeoutMs: timeoutOf(request) });
  });
}
