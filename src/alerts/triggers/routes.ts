// Honeycomb's Triggers API: GET/POST /1/triggers/:dataset, GET/PUT/DELETE
// /1/triggers/:dataset/:id, with Honeycomb's JSON, so existing definitions carry over.
// Triggers from tend.yaml are listed too but changed only by the file.
import type { FastifyInstance } from 'fastify';
import { principalOf } from '../../auth/index.js';
import { HttpError, notFound, parseJsonBody, validate } from '../../http/index.js';
import { parseQuerySpec } from '../../query/index.js';
import { triggerJson, TriggerInput, type Trigger } from './definition.js';
import type { TriggerService } from './trigger-service.js';

type DatasetRoute = { Params: { dataset: string } };
type IdRoute = { Params: { dataset: string; id: string } };

function parseInput(body: unknown): TriggerInput {
  const input = validate(TriggerInput, parseJsonBody(body), 'trigger');
  // The query obeys every rule a query does (a column for P99, values for filters, ...).
  try {
    parseQuerySpec(input.query);
  } catch (err) {
    if (err instanceof HttpError) throw new HttpError(err.status, `query.${err.message.replace(/^query: /, '')}`);
    throw err;
  }
  return input;
}

export function registerTriggerRoutes(app: FastifyInstance, triggers: TriggerService): void {
  const json = (t: Trigger) => triggerJson(t, triggers.triggered(t.id));
  const find = (envId: string, dataset: string, id: string) => {
    const t = triggers.get(envId, id);
    if (!t || t.dataset.toLowerCase() !== dataset.toLowerCase()) throw notFound(`no trigger ${id} on dataset ${dataset}`);
    return t;
  };
  const fileOwned = (t: Trigger) => {
    if (t.managedBy === 'file') throw new HttpError(409, `trigger "${t.name}" is declared in tend.yaml: change it there`);
  };

  // Every dataset's triggers at once (`tend triggers list`).
  app.get('/api/v1/triggers', async (request) => ({ triggers: triggers.list(principalOf(request).env.id).map(json) }));

  app.get<DatasetRoute>('/1/triggers/:dataset', async (request) => triggers.list(principalOf(request).env.id, request.params.dataset).map(json));

  app.post<DatasetRoute>('/1/triggers/:dataset', async (request, reply) => {
    const env = principalOf(request).env;
    const input = parseInput(request.body);
    if (triggers.list(env.id).some((t) => t.name === input.name)) throw new HttpError(409, `name: a trigger named "${input.name}" exists`);
    reply.code(201);
    return json(await triggers.put(env, request.params.dataset, input, 'api'));
  });

  app.get<IdRoute>('/1/triggers/:dataset/:id', async (request) => json(find(principalOf(request).env.id, request.params.dataset, request.params.id)));

  app.put<IdRoute>('/1/triggers/:dataset/:id', async (request) => {
    const env = principalOf(request).env;
    const old = find(env.id, request.params.dataset, request.params.id);
    fileOwned(old);
    const input = parseInput(request.body);
    if (triggers.list(env.id).some((t) => t.name === input.name && t.id !== old.id)) throw new HttpError(409, `name: a trigger named "${input.name}" exists`);
    return json(await triggers.put(env, old.dataset, input, 'api', old.id));
  });

  app.delete<IdRoute>('/1/triggers/:dataset/:id', async (request, reply) => {
    const env = principalOf(request).env;
    const t = find(env.id, request.params.dataset, request.params.id);
    fileOwned(t);
    await triggers.remove(env, t.id);
    reply.code(204);
  });
}
