// GET /api/v1/customers/:id: one customer of a dataset over a window. Its own numbers at the
// top (events, errors, error_rate, latency percentiles), request rate, error rate and latency
// over time beside the same for all customers, the endpoints it used with their error rates,
// its slowest and its failing requests, and the incidents that touched it. Every number comes
// from the query engine, weighted by sample rate.
import { DEFAULT_QUERY_TIMEOUT_MS, PERCENTILES, runQuery, searchEvents, type Calculation, type Filter, type QueryResult, type QuerySpec } from '../query/index.js';
import type { Environment } from '../store/index.js';
import { datasetContext, num, ratio, type CustomerDeps, type DatasetContext } from './context.js';
import type { Tally } from './histogram.js';
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
  const duration = ctx.fields.duration_field;
  const hasEndpoint = ctx.columns.has(ctx.fields.endpoint_field);
  const [[own, all], endpoints, slowest, failing, incidents] = await Promise.all([
    runQuery(deps.query, env, ctx.dataset, { ...base, filters: mine }, ctx.options)
      .then(async (r) => [r, await everyone(deps, env, ctx, base, w, r)] as const),
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
  const granularity = own.metadata.granularity;
  const points = (series: { time: string; data: Figures }[]): Point[] => series.map(({ time, data: f }) => (
    { time, rate: f.events / granularity, error_rate: f.error_rate, p50: f.p50, p95: f.p95, p99: f.p99 }));
  const top = figures(own.data.results[0]?.data);

  return {
    id, dataset: ctx.dataset, fields: ctx.fields, ...w, granularity,
    ...top,
    share: ratio(top.events, all.total.events),
    all: all.total,
    series: { customer: points(own.data.series.map((p) => ({ time: p.time, data: figures(p.data) }))), all: points(all.series) },
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

/**
 * Everyone's figures, in total and at the customer's series' times (every bucket of the
 * window): from the rollups
 * (everyone.ts) when they can answer, else one query over every event of the window.
 */
async function everyone(
  deps: CustomerDeps, env: Environment, ctx: DatasetContext, base: QuerySpec, w: Window, own: QueryResult,
): Promise<{ total: Figures; series: { time: string; data: Figures }[] }> {
  const rolled = await deps.everyone.figures(ctx, w, own.metadata.granularity, ctx.options.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS);
  if (rolled) {
    const of = (t: Tally | undefined): Figures => {
      const [p50, p95, p99] = t ? t.percentiles([PERCENTILES.P50, PERCENTILES.P95, PERCENTILES.P99]) : [null, null, null];
      const events = t?.events ?? 0;
      const errors = t?.errors ?? 0;
      return { events, errors, error_rate: ratio(errors, events), p50, p95, p99 };
    };
    return { total: of(rolled.total), series: own.data.series.map(({ time }) => ({ time, data: of(rolled.buckets.get(Date.parse(time) / 1000)) })) };
  }
  // The histogram's percentiles (within 1%) are 2-3x cheaper than exact ones over every event.
  const all = await runQuery(deps.query, env, ctx.dataset, base, { ...ctx.options, approximatePercentiles: true });
  return { total: figures(all.data.results[0]?.data), series: all.data.series.map((p) => ({ time: p.time, data: figures(p.data) })) };
}
