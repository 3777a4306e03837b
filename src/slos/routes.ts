// The SLO API: Tend's view (`/api/v1/slos`, every number and the daily history), Honeycomb's
// SLO API shape (`/1/slos/:dataset`) and derived columns (`/1/derived_columns/:dataset`), so
// Honeycomb definitions carry over. SLOs and derived columns from tend.yaml are listed but
// changed only by the file.
import type { FastifyInstance } from 'fastify';
import { principalOf } from '../auth/index.js';
import { badRequest, HttpError, notFound, parseJsonBody, validate } from '../http/index.js';
import type { Environment } from '../store/index.js';
import { expandBurnAlerts, SloDefinitionError, type Slo } from './definition.js';
import { DerivedColumnInput, derivedColumnJson, type DerivedColumn, type DerivedColumns } from './derived-columns.js';
import { fromHoneycomb, HoneycombSloInput, honeycombJson } from './honeycomb.js';
import { checkExpression } from './sli.js';
import type { SloService } from './slo-service.js';
import { newSloId } from './slo-store.js';

type DatasetRoute = { Params: { dataset: string }; Querystring: { detailed?: string } };
type IdRoute = { Params: { dataset: string; id: string }; Querystring: { detailed?: string } };

/** Tend's JSON for an SLO: its definition and its latest numbers (history with `withHistory`). */
export function sloJson(service: SloService, s: Slo, withHistory: boolean) {
  const { status, error, firing } = service.statusOf(s.id);
  const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
  return {
    id: s.id,
    name: s.name,
    datasets: s.datasets,
    sli: s.sli,
    target: s.target,
    period_days: s.period_days,
    description: s.description,
    labels: s.labels,
    burn_alerts: s.burn_alerts,
    managed_by: s.managedBy,
    evaluated_at: iso(status?.evaluated_at),
    error: error ?? null,
    eligible: status?.eligible ?? null,
    good: status?.good ?? null,
    compliance: status?.compliance ?? null,
    budget: status?.budget ?? null,
    budget_remaining: status?.budget_remaining ?? null,
    burn_rates: status?.burn_rates ?? null,
    exhaustion_at: iso(status?.exhaustion_at),
    firing: firing.map((l) => JSON.parse(l) as Record<string, string>).map((l) => ({ burn_alert: l.burn_alert, window: l.window, severity: l.severity })),
    ...(withHistory ? { history: status?.history ?? [] } : {}),
  };
}

export function registerSloRoutes(app: FastifyInstance, service: SloService, derived: DerivedColumns): void {
  const fileOwned = (what: string, o: { managedBy: string; name?: string; alias?: string }) => {
    if (o.managedBy === 'file') throw new HttpError(409, `${what} "${o.name ?? o.alias}" is declared in tend.yaml: change it there`);
  };
  const findSlo = (envId: string, dataset: string, id: string) => {
    const s = service.get(envId, id);
    if (!s || !s.datasets.some((d) => d.toLowerCase() === dataset.toLowerCase())) throw notFound(`no SLO ${id} on dataset ${dataset}`);
    return s;
  };
  const inputOf = (env: Environment, body: unknown, dataset: string) => {
    const h = validate(HoneycombSloInput, parseJsonBody(body), 'slo');
    const input = fromHoneycomb(h, dataset);
    for (const d of input.datasets) if (!derived.resolve(env.id, d, input.sli.alias)) throw badRequest(`sli.alias: no derived column "${input.sli.alias}" on dataset "${d}": create it with /1/derived_columns/${d}`);
    try {
      return { ...input, burn_alerts: expandBurnAlerts(input.burn_alerts, 'burn_alerts') };
    } catch (err) {
      if (err instanceof SloDefinitionError) throw badRequest(err.message);
      throw err;
    }
  };
  const nameTaken = (envId: string, name: string, id?: string) => {
    if (service.list(envId).some((s) => s.name === name && s.id !== id)) throw new HttpError(409, `name: an SLO named "${name}" exists`);
  };

  app.get('/api/v1/slos', async (request) => ({ slos: service.list(principalOf(request).env.id).map((s) => sloJson(service, s, false)) }));

  app.get<{ Params: { name: string } }>('/api/v1/slos/:name', async (request) => {
    const s = service.byName(principalOf(request).env.id, request.params.name);
    if (!s) throw notFound(`no SLO named "${request.params.name}"`);
    return sloJson(service, s, true);
  });

  app.get<DatasetRoute>('/1/slos/:dataset', async (request) => {
    const ds = request.params.dataset.toLowerCase();
    const detailed = request.query.detailed === 'true';
    return service.list(principalOf(request).env.id).filter((s) => s.datasets.some((d) => d.toLowerCase() === ds)).map((s) => honeycombJson(s, service.statusOf(s.id).status, detailed));
  });

  app.post<DatasetRoute>('/1/slos/:dataset', async (request, reply) => {
    const env = principalOf(request).env;
    const input = inputOf(env, request.body, request.params.dataset);
    nameTaken(env.id, input.name);
    const now = Date.now();
    const s = await service.put({ ...input, id: newSloId(), envId: env.id, managedBy: 'api', createdAt: now, updatedAt: now });
    reply.code(201);
    return honeycombJson(s, undefined, false);
  });

  app.get<IdRoute>('/1/slos/:dataset/:id', async (request) => {
    const s = findSlo(principalOf(request).env.id, request.params.dataset, request.params.id);
    return honeycombJson(s, service.statusOf(s.id).status, request.query.detailed === 'true');
  });

  app.put<IdRoute>('/1/slos/:dataset/:id', async (request) => {
    const env = principalOf(request).env;
    const old = findSlo(env.id, request.params.dataset, request.params.id);
    fileOwned('SLO', old);
    const input = inputOf(env, request.body, request.params.dataset);
    nameTaken(env.id, input.name, old.id);
    const s = await service.put({ ...input, id: old.id, envId: env.id, managedBy: 'api', createdAt: old.createdAt, updatedAt: Date.now() });
    return honeycombJson(s, service.statusOf(s.id).status, false);
  });

  app.delete<IdRoute>('/1/slos/:dataset/:id', async (request, reply) => {
    const env = principalOf(request).env;
    const s = findSlo(env.id, request.params.dataset, request.params.id);
    fileOwned('SLO', s);
    await service.remove(env, s.id);
    reply.code(204);
  });

  const findColumn = (envId: string, dataset: string, id: string): DerivedColumn => {
    const c = derived.get(envId, dataset, id);
    if (!c) throw notFound(`no derived column ${id} on dataset ${dataset}`);
    return c;
  };
  const columnInput = (envId: string, dataset: string, body: unknown, id?: string) => {
    const input = validate(DerivedColumnInput, parseJsonBody(body), 'derived_column');
    checkExpression(input.expression, 'expression', false);
    if (derived.list(envId, dataset).some((c) => c.alias === input.alias && c.id !== id)) throw new HttpError(409, `alias: a derived column "${input.alias}" exists on ${dataset}`);
    return input;
  };

  app.get<DatasetRoute>('/1/derived_columns/:dataset', async (request) => derived.list(principalOf(request).env.id, request.params.dataset).map(derivedColumnJson));

  app.post<DatasetRoute>('/1/derived_columns/:dataset', async (request, reply) => {
    const env = principalOf(request).env;
    const input = columnInput(env.id, request.params.dataset, request.body);
    reply.code(201);
    return derivedColumnJson(await derived.put(env.id, request.params.dataset, input, 'api'));
  });

  app.get<IdRoute>('/1/derived_columns/:dataset/:id', async (request) => derivedColumnJson(findColumn(principalOf(request).env.id, request.params.dataset, request.params.id)));

  app.put<IdRoute>('/1/derived_columns/:dataset/:id', async (request) => {
    const env = principalOf(request).env;
    const old = findColumn(env.id, request.params.dataset, request.params.id);
    fileOwned('derived column', old);
    const input = columnInput(env.id, request.params.dataset, request.body, old.id);
    return derivedColumnJson(await derived.put(env.id, request.params.dataset, input, 'api', old.id));
  });

  app.delete<IdRoute>('/1/derived_columns/:dataset/:id', async (request, reply) => {
    const env = principalOf(request).env;
    const c = findColumn(env.id, request.params.dataset, request.params.id);
    fileOwned('derived column', c);
    const users = service.list(env.id).filter((s) => typeof s.sli !== 'string' && s.sli.alias === c.alias && s.datasets.some((d) => d.toLowerCase() === c.dataset));
    if (users.length) throw new HttpError(409, `derived column "${c.alias}" is the SLI of ${users.map((s) => `"${s.name}"`).join(', ')}: delete or change those first`);
    await derived.remove(c.id);
    reply.code(204);
  });
}
