// Incidents that touched a customer: of a service owning the dataset, open during the page's
// window, and with requests of the customer while they were open (counted, with their errors,
// through the query engine over the incident's own window).
import { runQuery } from '../query/index.js';
import type { Environment } from '../store/index.js';
import { num, type CustomerDeps, type DatasetContext } from './context.js';
import type { Window } from './window.js';

export interface IncidentSummary {
  id: string;
  service: string;
  title: string;
  severity: string;
  state: string;
  /** Unix ms; resolved_at null while open. */
  opened_at: number;
  resolved_at: number | null;
}

export interface TouchingIncident extends Omit<IncidentSummary, 'opened_at' | 'resolved_at'> {
  opened_at: string;
  resolved_at: string | null;
  /** The customer's requests and errors while the incident was open (within the page's window). */
  events: number;
  errors: number;
}

/** Most incidents a page lists (newest first). */
const MAX_INCIDENTS = 20;

export async function incidentsTouching(
  deps: CustomerDeps, env: Environment, ctx: DatasetContext, customer: string, w: Window,
): Promise<TouchingIncident[]> {
  const all = await deps.incidents(env, ctx.dataset, w.start_time * 1000, w.end_time * 1000);
  const out: TouchingIncident[] = [];
  for (const i of all.slice(0, MAX_INCIDENTS)) {
    const start = Math.max(w.start_time, Math.floor(i.opened_at / 1000));
    const end = Math.min(w.end_time, Math.ceil((i.resolved_at ?? w.end_time * 1000) / 1000));
    if (end <= start) continue;
    const r = await runQuery(deps.query, env, ctx.dataset, {
      start_time: start, end_time: end,
      calculated_fields: [ctx.errorField],
      calculations: [{ op: 'COUNT', name: 'events' }, { op: 'SUM', column: ctx.errorField.name, name: 'errors' }],
      filters: [{ column: ctx.fields.customer_field, op: '=', value: customer }],
    }, { ...ctx.options, series: false });
    const events = num(r.data.results[0]?.data.events) ?? 0;
    if (events === 0) continue;
    out.push({
      ...i,
      opened_at: new Date(i.opened_at).toISOString(),
      resolved_at: i.resolved_at === null ? null : new Date(i.resolved_at).toISOString(),
      events,
      errors: num(r.data.results[0]?.data.errors) ?? 0,
    });
  }
  return out;
}
