// POST /api/v1/events/:dataset/search: the events matching filters in a time window (admin key).
import type { FastifyInstance } from 'fastify';
import { principalOf } from '../auth/index.js';
import { parseJsonBody } from '../http/index.js';
import { parseEventSearch, searchEvents } from './event-search.js';
import { timeoutOf } from './routes.js';
import type { QueryDeps } from './run.js';

export function registerEventSearchRoutes(app: FastifyInstance, deps: QueryDeps): void {
  app.post<{ Params: { dataset: string } }>('/api/v1/events/:dataset/search', async (request) => {
    const search = parseEventSearch(parseJsonBody(request.body));
    return searchEvents(deps, principalOf(request).env, request.params.dataset, search, { timeoutMs: timeoutOf(request) });
  });
}
