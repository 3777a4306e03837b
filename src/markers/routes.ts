// Honeycomb's Markers API: POST/GET /1/markers/:dataset, PUT/DELETE /1/markers/:dataset/:id.
// `__all__` holds environment-wide markers. Keys that /1/auth shows with `markers: true`
// (ingest and admin keys) may use it, so a deploy script needs only its ingest key.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../auth/index.js';
import { parseJsonBody, badRequest, notFound, validate } from '../http/index.js';
import { ALL_DATASETS, type DatasetRegistry } from '../store/index.js';
import type { MarkerScope, MarkerStore } from './marker-store.js';

const unixSeconds = z.number().int().min(0).max(253402300799);
const MarkerBody = z
  .object({
    start_time: unixSeconds.optional(),
    end_time: unixSeconds.optional(),
    message: z.string().max(10_000).optional(),
    type: z.string().max(200).optional(),
    url: z.string().max(2048).optional(),
  })
  .refine((m) => m.end_time === undefined || m.start_time === undefined || m.end_time >= m.start_time, {
    path: ['end_time'],
    message: 'must not be before start_time',
  });

type DatasetRoute = { Params: { dataset: string } };
type MarkerRoute = { Params: { dataset: string; id: string } };

function parseMarker(body: unknown): z.infer<typeof MarkerBody> {
  return validate(MarkerBody, parseJsonBody(body), 'body');
}

export function registerMarkerRoutes(app: FastifyInstance, markers: MarkerStore, datasets: DatasetRegistry): void {
  const access = { config: { access: 'ingest' as const } };

  async function scopeOf(request: FastifyRequest, name: string): Promise<MarkerScope> {
    const env = principalOf(request).env;
    if (name.toLowerCase() === ALL_DATASETS) return { envId: env.id, datasetName: ALL_DATASETS };
    const ds = await datasets.find(env.id, name);
    if (!ds) throw notFound(`dataset "${name}" does not exist in this environment: send it an event first, or use __all__ for an environment-wide marker`);
    return { envId: env.id, datasetId: ds.id, datasetName: ds.name };
  }

  app.post<DatasetRoute>('/1/markers/:dataset', access, async (request, reply) => {
    const scope = await scopeOf(request, request.params.dataset);
    const fields = parseMarker(request.body);
    reply.code(201);
    return markers.create(scope, fields);
  });

  app.get<DatasetRoute>('/1/markers/:dataset', access, async (request) => markers.list(await scopeOf(request, request.params.dataset)));

  app.put<MarkerRoute>('/1/markers/:dataset/:id', access, async (request) => {
    const scope = await scopeOf(request, request.params.dataset);
    const fields = parseMarker(request.body);
    const updated = await markers.update(scope, request.params.id, fields);
    if (updated) return updated;
    // The update checks both in one statement; say which one stopped it.
    if (!(await markers.get(scope, request.params.id))) throw notFound(`no marker "${request.params.id}" in dataset "${request.params.dataset}"`);
    throw badRequest('end_time: must not be before start_time');
  });

  app.delete<MarkerRoute>('/1/markers/:dataset/:id', access, async (request) => {
    const gone = await markers.delete(await scopeOf(request, request.params.dataset), request.params.id);
    if (!gone) throw notFound(`no marker "${request.params.id}" in dataset "${request.params.dataset}"`);
    return gone;
  });
}
