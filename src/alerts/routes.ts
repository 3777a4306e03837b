// /api/v1/alerts: list (by state, source, label matchers), one alert with its notification
// history, acknowledge and unacknowledge (the author is the caller), test a receiver. Each alert
// names the catalog service it belongs to (`service`, null when none), and `?service=` keeps one.
import type { FastifyInstance } from 'fastify';
import { principalOf } from '../auth/index.js';
import { badRequest, notFound } from '../http/index.js';
import type { AlertService } from './alert-service.js';
import { authorOf } from './author.js';
import type { DeliveryQueue } from './delivery/delivery-queue.js';
import { MatcherError, parseMatchers, type Matcher } from './matchers.js';
import { ALERT_SOURCES, alertJson, type Alert, type AlertSource, type AlertState, type ServiceOf } from './model.js';

type FpRoute = { Params: { fingerprint: string } };
type ListRoute = { Querystring: { state?: string; source?: string; service?: string; filter?: string | string[] } };

export function parseFilter(filter: string | string[] | undefined, field = 'filter'): Matcher[] {
  try {
    return [filter ?? []].flat().flatMap(parseMatchers);
  } catch (err) {
    if (err instanceof MatcherError) throw badRequest(`${field}: ${err.message}`);
    throw err;
  }
}

export function registerAlertRoutes(app: FastifyInstance, alerts: AlertService, deliveries: DeliveryQueue, serviceOf: () => ServiceOf): void {
  const json = (a: Alert) => alertJson(a, serviceOf()(a.envId, a));

  app.get<ListRoute>('/api/v1/alerts', async (request) => {
    const { state, source, service, filter } = request.query;
    if (state !== undefined && state !== 'firing' && state !== 'resolved') throw badRequest('state: expected firing or resolved');
    if (source !== undefined && !ALERT_SOURCES.includes(source as AlertSource)) throw badRequest(`source: expected one of ${ALERT_SOURCES.join(', ')}`);
    const list = alerts.list(principalOf(request).env.id, { state: state as AlertState | undefined, source: source as AlertSource | undefined, matchers: parseFilter(filter) }).map(json);
    return { alerts: service === undefined ? list : list.filter((a) => a.service === service) };
  });

  const find = (envId: string, fp: string) => {
    const a = alerts.get(envId, fp);
    if (!a) throw notFound(`no alert with fingerprint ${fp} in this environment`);
    return a;
  };

  app.get<FpRoute>('/api/v1/alerts/:fingerprint', async (request) => {
    const env = principalOf(request).env;
    const a = find(env.id, request.params.fingerprint);
    return { ...json(a), notifications: await deliveries.historyOf(env.id, a.fingerprint) };
  });

  app.post<FpRoute>('/api/v1/alerts/:fingerprint/ack', async (request) => {
    const env = principalOf(request).env;
    find(env.id, request.params.fingerprint);
    return json((await alerts.acknowledge(env, request.params.fingerprint, authorOf(request)))!);
  });

  app.post<FpRoute>('/api/v1/alerts/:fingerprint/unack', async (request) => {
    const env = principalOf(request).env;
    find(env.id, request.params.fingerprint);
    return json((await alerts.acknowledge(env, request.params.fingerprint, undefined))!);
  });
}
