// Assembly of the customer routes from what other capabilities know, given as plain functions
// (so this folder imports none of them): SLOs over a dataset, the services that own it and
// their incidents.
import type { FastifyInstance } from 'fastify';
import type { DatasetFieldsOf } from '../dataset-fields/index.js';
import type { QueryDeps } from '../query/index.js';
import type { CustomerDeps } from './context.js';
import { CustomerEvents } from './customer-events.js';
import { EveryoneRollups } from './everyone.js';
import type { IncidentSummary } from './incidents.js';
import { registerCustomerRoutes } from './routes.js';

export interface CustomersStartDeps {
  query: QueryDeps;
  fields: DatasetFieldsOf;
  slos(envId: string): { datasets: string[]; sli: string | { alias: string } }[];
  services(envId: string): { name: string; datasets: string[] }[];
  /** A service's incidents, newest first. */
  incidents(envId: string, service: string): Promise<{ id: string; service: string; title: string; severity: string; state: string; openedAt: number; resolvedAt?: number }[]>;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export function customerDeps(d: CustomersStartDeps): CustomerDeps {
  return {
    query: d.query,
    fields: d.fields,
    everyone: new EveryoneRollups(d.query.store),
    customerEvents: new CustomerEvents(d.query.store),
    // An SLI given as a derived column's alias states no objective this page can read.
    slis: (envId, dataset) => d.slos(envId).filter((s) => s.datasets.some((x) => same(x, dataset))).flatMap((s) => (typeof s.sli === 'string' ? [s.sli] : [])),
    async incidents(env, dataset, fromMs, toMs) {
      const owners = d.services(env.id).filter((s) => s.datasets.some((x) => same(x, dataset)));
      const lists = await Promise.all(owners.map((s) => d.incidents(env.id, s.name)));
      return lists.flat()
        .filter((i) => i.openedAt < toMs && (i.resolvedAt ?? Infinity) >= fromMs)
        .sort((a, b) => b.openedAt - a.openedAt)
        .map((i): IncidentSummary => ({ id: i.id, service: i.service, title: i.title, severity: i.severity, state: i.state, opened_at: i.openedAt, resolved_at: i.resolvedAt ?? null }));
    },
  };
}

export function startCustomers(app: FastifyInstance, d: CustomersStartDeps): void {
  registerCustomerRoutes(app, customerDeps(d));
}
