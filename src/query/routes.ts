// The query API:
//  - POST /api/v1/query/:dataset            run a spec now, answer within the timeout;
//  - POST /1/queries/:dataset               Honeycomb: store a spec, answer it with its id;
//  - GET  /1/queries/:dataset/:id           Honeycomb: the stored spec;
//  - POST /1/query_results/:dataset         Honeycomb: run a stored spec, answer the result id;
//  - GET  /1/query_results/:dataset/:id     Honeycomb: `{complete: true, data: ...}`.
// Tend runs a query while the POST waits, so a result is complete as soon as it has an id.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../auth/index.js';
import { parseJsonBody, badRequest, notFound, validate } from '../http/index.js';
import { parseQuerySpec, QUERY_LIMITS, type QuerySpec } from './spec.js';
import { DEFAULT_QUERY_TIMEOUT_MS, resolveDatasets, runQuery, type QueryDeps, type QueryResult } from './run.js';
import { QueryStore } from './query-store.js';

/** Longest timeout a caller may ask for with `?timeout_ms=`. */
export const MAX_QUERY_TIMEOUT_MS = 60_000;

type DatasetRoute = { Params: { dataset: string } };
type ItemRoute = { Params: { dataset: string; id: string } };

const QueryResultRequestSchema = z.object({
  query_id: z.string().min(1),
  disable_series: z.boolean().nullish(),
  limit: z.number().int().min(1).max(QUERY_LIMITS.maxLimit).nullish(),
});

export function timeoutOf(request: FastifyRequest): number {
  const raw = (request.query as Record<string, string | undefined>).timeout_ms;
  if (raw === undefined) return DEFAULT_QUERY_TIMEOUT_MS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_QUERY_TIMEOUT_MS) throw badRequest(`timeout_ms: expected a whole number of milliseconds from 1 to ${MAX_QUERY_TIMEOUT_MS}`);
  return n;
}

/** `?disable_series=true`: totals only, as Honeycomb's `disable_series` (faster). */
function seriesDisabled(request: FastifyRequest): boolean {
  const raw = (request.query as Record<string, string | undefined>).disable_series;
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true' || raw === '') return true;
  throw badRequest('disable_series: expected true or false');
}

/** Registers the query routes (synchronous and Honeycomb's Query Data API) and their tables. */
export async function registerQueryRoutes(app: FastifyInstance, deps: QueryDeps & { meta: NonNullable<QueryDeps['meta']> }): Promise<void> {
  const store = await QueryStore.open(deps.meta);

  app.post<DatasetRoute>('/api/v1/query/:dataset', async (request) => {
    const spec = parseQuerySpec(parseJsonBody(request.body));
    return runQuery(deps, principalOf(request).env, request.params.dataset, spec, { timeoutMs: timeoutOf(request), series: !seriesDisabled(request) });
  });

  app.post<DatasetRoute>('/1/queries/:dataset', async (request) => {
    const env = principalOf(request).env;
    await resolveDatasets(deps.datasets, env, request.params.dataset);
    const spec = parseQuerySpec(parseJsonBody(request.body));
    const id = await store.saveSpec(env.id, request.params.dataset, spec);
    return { id, ...spec };
  });

  app.get<ItemRoute>('/1/queries/:dataset/:id', async (request) => {
    const spec = await store.spec(principalOf(request).env.id, request.params.dataset, request.params.id);
    if (!spec) throw notFound(`query "${request.params.id}" does not exist for dataset "${request.params.dataset}"`);
    return { id: request.params.id, ...(spec as object) };
  });

  app.post<DatasetRoute>('/1/query_results/:dataset', async (request, reply) => {
    const env = principalOf(request).env;
    const { dataset } = request.params;
    const body = validate(QueryResultRequestSchema, parseJsonBody(request.body), 'query');
    const stored = await store.spec(env.id, dataset, body.query_id);
    if (!stored) throw notFound(`query_id: query "${body.query_id}" does not exist for dataset "${dataset}"`);
    const spec: QuerySpec = { ...(stored as QuerySpec), ...(body.limit ? { limit: body.limit } : {}) };
    const result = await runQuery(deps, env, dataset, spec, { timeoutMs: timeoutOf(request), series: !body.disable_series });
    const id = await store.saveResult(env.id, dataset, body.query_id, result);
    const answer = honeycombResult(id, body.query_id, dataset, result);
    reply.code(201).header('location', answer.links.query_result_url).send(answer);
  });

  app.get<ItemRoute>('/1/query_results/:dataset/:id', async (request) => {
    const { dataset, id } = request.params;
    const found = await store.result(principalOf(request).env.id, dataset, id);
    if (!found) throw notFound(`query result "${id}" does not exist for dataset "${dataset}" (results are kept for a day)`);
    return honeycombResult(id, found.queryId, dataset, found.result as QueryResult);
  });
}

/** Honeycomb's query result object, with Tend's metadata beside it. */
function honeycombResult(id: string, queryId: string, dataset: string, result: QueryResult) {
  const path = `/1/query_results/${encodeURIComponent(dataset)}/${id}`;
  return {
    id,
    query_id: queryId,
    complete: true,
    query: result.query,
    data: result.data,
    metadata: result.metadata,
    ...(result.markers ? { markers: result.markers } : {}),
    links: { query_result_url: path },
  };
}
