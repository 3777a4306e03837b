// A service's headroom: for each declared limit (requests per second in total and per
// endpoint, resource columns against their maximum) the peak per hour over the last weeks,
// the recent peak, the headroom left, the trend of daily peaks and when it reaches the limit;
// and the plan for a multiplied load at a given time: which limit breaks first.
import type { DatasetFieldsOf } from '../dataset-fields/index.js';
import { notFound } from '../http/index.js';
import type { QueryDeps } from '../query/index.js';
import type { Environment } from '../store/index.js';
import type { Capacity } from './config.js';
import { requestPeaks, resourcePeaks, type HourPeak, type Span } from './peaks.js';
import { dailyPeaks, leastSquares, planLimits, reachesAt, type PlannedLimit } from './trend.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** The recent peak (headroom is measured from it) is the highest hour of the last week. */
const RECENT_MS = WEEK_MS;

export interface CapacityDeps {
  query: QueryDeps;
  fields: DatasetFieldsOf;
  /** A service of the catalog, if it exists. */
  service(envId: string, name: string): { name: string; datasets: string[] } | undefined;
  /** The service's declared limits (tend.yaml), if any. */
  capacity(envId: string, name: string): Capacity | undefined;
}

export interface LimitView {
  kind: 'requests_per_second' | 'endpoint' | 'resource';
  /** `requests_per_second`, the endpoint or the column. */
  name: string;
  limit: number;
  hours: { time: string; peak: number }[];
  /** The highest hourly peak of the last week. */
  peak: number;
  peak_at: string | null;
  headroom: number;
  /** peak / limit. */
  used: number;
  trend: { slope_per_day: number; reaches_limit_at: string | null } | null;
}

export interface CapacityView {
  service: string;
  dataset: string | null;
  weeks: number;
  start_time: number;
  end_time: number;
  limits: LimitView[];
}

const iso = (ms: number) => new Date(ms).toISOString();

function limitView(kind: LimitView['kind'], name: string, limit: number, hours: HourPeak[], nowMs: number): LimitView {
  const recent = hours.filter((h) => h.atMs >= nowMs - RECENT_MS);
  const top = recent.reduce<HourPeak | undefined>((best, h) => (!best || h.peak > best.peak ? h : best), undefined);
  const peak = top?.peak ?? 0;
  // Hours before the first with traffic are before the service ran, and today is not over:
  // neither is part of the trend.
  const first = hours.findIndex((h) => h.peak > 0);
  const today = Math.floor(nowMs / DAY_MS) * DAY_MS;
  const line = first < 0 ? undefined : leastSquares(dailyPeaks(hours.slice(first)).filter((d) => d.atMs < today));
  // From the recent peak, at the trend's pace: the peaks that break limits, not the line's middle.
  const reaches = reachesAt(peak, line?.slope_per_day, limit, nowMs);
  return {
    kind, name, limit,
    hours: hours.map((h) => ({ time: iso(h.atMs), peak: h.peak })),
    peak, peak_at: top && top.peak > 0 ? iso(top.atMs) : null,
    headroom: limit - peak, used: peak / limit,
    trend: line ? { slope_per_day: line.slope_per_day, reaches_limit_at: reaches === null ? null : iso(reaches) } : null,
  };
}

export async function capacityView(deps: CapacityDeps, env: Environment, serviceName: string, weeks: number, nowMs = Date.now()): Promise<CapacityView> {
  const service = deps.service(env.id, serviceName);
  if (!service) throw notFound(`no service named "${serviceName}"`);
  const cap = deps.capacity(env.id, service.name);
  const end = Math.floor(nowMs / HOUR_MS) * 3600;
  const span: Span = { start: end - weeks * 7 * 24 * 3600, end };
  const datasetName = cap?.dataset ?? service.datasets[0];
  const base = { service: service.name, dataset: datasetName ?? null, weeks, start_time: span.start, end_time: span.end };
  const ds = datasetName ? await deps.query.datasets.find(env.id, datasetName) : undefined;
  if (!cap || !ds) {
    // Limits over a dataset with no events yet: every peak is 0.
    const empty = new Map<string, HourPeak[]>();
    return { ...base, limits: cap ? collect(cap, empty, empty, empty, nowMs) : [] };
  }
  const columns = (await deps.query.store.columns(ds.id)).map((c) => c.name);
  const fields = deps.fields(env.id, ds.name, columns);
  const endpoints = Object.keys(cap.endpoints);
  const total = cap.requests_per_second !== undefined ? await requestPeaks(deps.query, env, ds.name, span) : new Map<string, HourPeak[]>();
  const byEndpoint = endpoints.length ? await requestPeaks(deps.query, env, ds.name, span, { field: fields.endpoint_field, values: endpoints }) : new Map<string, HourPeak[]>();
  const resources = await resourcePeaks(deps.query, env, ds.name, span, Object.keys(cap.resources));
  return { ...base, dataset: ds.name, limits: collect(cap, total, byEndpoint, resources, nowMs) };
}

function collect(cap: Capacity, total: Map<string, HourPeak[]>, byEndpoint: Map<string, HourPeak[]>, resources: Map<string, HourPeak[]>, nowMs: number): LimitView[] {
  const out: LimitView[] = [];
  if (cap.requests_per_second !== undefined) out.push(limitView('requests_per_second', 'requests_per_second', cap.requests_per_second, total.get('') ?? [], nowMs));
  for (const [e, limit] of Object.entries(cap.endpoints)) out.push(limitView('endpoint', e, limit, byEndpoint.get(e) ?? [], nowMs));
  for (const [c, limit] of Object.entries(cap.resources)) out.push(limitView('resource', c, limit, resources.get(c) ?? [], nowMs));
  return out;
}

type Planned = PlannedLimit & { kind: LimitView['kind']; trend_reaches_limit_at: string | null };

export interface CapacityPlan {
  service: string;
  multiplier: number;
  at: string;
  /** The limit the planned load breaks at the lowest multiplier, if it breaks any. */
  first_to_break: Planned | null;
  /** Every limit, the most used first. */
  limits: Planned[];
}

/**
 * The load at `atMs`: each limit's recent peak moved along its trend to that time (never below
 * 0; the recent peak itself without a trend), times the multiplier. Resources are taken to
 * grow with the load.
 */
export function planCapacity(view: CapacityView, multiplier: number, atMs: number, nowMs = Date.now()): CapacityPlan {
  const expectedAt = (l: LimitView) => Math.max(0, l.peak + (l.trend?.slope_per_day ?? 0) * ((atMs - nowMs) / DAY_MS));
  const limits = planLimits(view.limits.map((l) => ({
    kind: l.kind, name: l.name, limit: l.limit, expected: expectedAt(l), trend_reaches_limit_at: l.trend?.reaches_limit_at ?? null,
  })), multiplier);
  return { service: view.service, multiplier, at: iso(atMs), first_to_break: limits.find((p) => p.breaks) ?? null, limits };
}
