// GET /api/v1/customers/:id: one customer of a dataset over a window. Its own numbers at the
// top (events, errors, error_rate, latency percentiles), request rate, error rate and latency
// over time beside the same for all customers, the endpoints it used with their error rates,
// its slowest and its failing requests, and the incidents that touched it. Every number comes
// from the query engine, weighted by sample rate.
import { runQuery, searchEvents, type Calculation, type Filter, type QuerySpec } from '../query/index.js';
import type { Environment } from '../store/index.js';
import { datasetContext, num, ratio, type CustomerDeps, type DatasetContext } from './context.js';
import { incidentsTouching, type TouchingIncident } from './incidents.js';
import type { Window } from './window.js';

/** Endpoints listed (most used first), and requests shown in each list. */
const MAX_ENDPOINTS = 50;
const MAX_REQUESTS = 20;

export interface Point {
  time: string;
  /** Requests per second over the bucket. */
  rate: number;
  error_rate: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface Figures {
  events: number;
  errors: number;
  error_rate: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface CustomerPage extends Figures {
  id: string;
  dataset: string;
  fields: DatasetContext['fields'];
  start_time: number;
  end_time: number;
  granularity: number;
  /** The customer's share of all requests in the window. */
  share: number;
  all: Figures;
  series: { customer: Point[]; all: Point[] };
  endpoints: { endpoint: string | null; events: number; errors: number; error_rate: number; p95: number | null }[];
  slowest: RequestEvent[];
  failing: RequestEvent[];
  incidents: TouchingIncident[];
  duration_ms: number;
}

export interface RequestEvent {
  time: string;
  samplerate: number;
  data: Record<string, unknown>;
}

function latencyCalcs(ctx: DatasetContext): Calculation[] {
  if (!ctx.columns.has(ctx.fields.duration_field)) return [];
  return (['P50', 'P95', 'P99'] as const).map((op) => ({ op, column: ctx.fields.duration_field, name: op.toLowerCase() }));
}

function figures(data: Record<string, unknown> | undefined): Figures {
  const events = num(data?.events) ?? 0;
  const errors = num(data?.errors) ?? 0;
  return { events, errors, error_rate: ratio(errors, events), p50: num(data?.p50), p95: num(data?.p95), p99: num(data?.p99) };
}

export async function customerPage(deps: CustomerDeps, env: Environment, dataset: string, id: string, w: Window, timeoutMs?: number): Promise<CustomerPage> {
  const started = Date.now();
  const ctx = await datasetContext(deps, env, dataset, timeoutMs);
  const mine: Filter[] = [{ column: ctx.fields.customer_field, op: '=', value: id }];
  const base: QuerySpec = {
    ...w,
    calculated_fields: [ctx.errorField],
    calculations: [{ op: 'COUNT', name: 'events' }, { op: 'SUM', column: ctx.errorField.name, name: 'errors' }, ...latencyCalcs(ctx)],
  };
  const [own, all] = await Promise.all([
    runQuery(deps.query, env, ctx.dataset, { ...base, filters: mine }, ctx.options),
    // Everyone's percentiles are shown beside the customer's: the histogram's (within 1%) are
    // 2-3x cheaper than exact ones over every event of the window.
    runQuery(deps.query, env, ctx.dataset, base, { ...ctx.options, approximatePercentiles: true }),
  ]);
  const granularity = own.metadata.granularity;
  const points = (series: typeof own.data.series): Point[] => series.map((p) => {
    const f = figures(p.data);
    return { time: p.time, rate: f.events / granularity, error_rate: f.error_rate, p50: f.p50, p95: f.p95, p99: f.p99 };
  });
  const top = figures(own.data.results[0]?.data);
  const everyone = figures(all.data.results[0]?.data);

  const duration = ctx.fields.duration_field;
  const hasEndpoint = ctx.columns.has(ctx.fields.endpoint_field);
  const [endpoints, slowest, failing, incidents] = await Promise.all([
    hasEndpoint
      ? runQuery(deps.query, env, ctx.dataset, {
        ...base,
        calculations: [{ op: 'COUNT', name: 'events' }, { op: 'SUM', column: ctx.errorField.name, name: 'errors' }, ...latencyCalcs(ctx).filter((c) => c.name === 'p95')],
        filters: mine, breakdowns: [ctx.fields.endpoint_field], limit: MAX_ENDPOINTS,
      }, { ...ctx.options, series: false })
      : undefined,
    ctx.columns.has(duration)
      ? searchEvents(deps.query, env, ctx.dataset, { ...w, filters: mine, sort_by: duration, order: 'descending', limit: MAX_REQUESTS }, ctx.options)
      : undefined,
    searchEvents(deps.query, env, ctx.dataset, {
      ...w, calculated_fields: [ctx.errorField], filters: [...mine, { column: ctx.errorField.name, op: '=', value: 1 }], limit: MAX_REQUESTS,
    }, ctx.options),
    incidentsTouching(deps, env, ctx, id, w),
  ]);

  return {
    id, dataset: ctx.dataset, fields: ctx.fields, ...w, granularity,
    ...top,
    share: ratio(top.events, everyone.events),
    all: everyone,
    series: { customer: points(own.data.series), all: points(all.data.series) },
    endpoints: (endpoints?.data.results ?? []).map((row) => {
      const f = figures(row.data);
      const e = row.data[ctx.fields.endpoint_field];
      return { endpoint: e === null || e === undefined ? null : String(e), events: f.events, errors: f.errors, error_rate: f.error_rate, p95: f.p95 };
    }),
    slowest: slowest?.events ?? [],
    failing: failing.events,
    incidents,
    duration_ms: Date.now() - started,
  };
}
