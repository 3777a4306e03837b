// When is a request slow? Beyond the latency objective of an SLO over the dataset, when one
// has one; else beyond the dataset's own P99 over the window (weighted by sample rate): the
// query engine's P99, read the fast way (quantile.ts) when no event is sampled. An SLO states
// a latency objective when its SLI compares the latency field with a number, such as
// `LT($duration_ms, 300)` or `LTE($duration_ms, 300)`.
import { columnRef } from '../dataset-fields/index.js';
import { DEFAULT_QUERY_TIMEOUT_MS, PERCENTILES, runQuery, type QueryDeps } from '../query/index.js';
import type { Column, Environment } from '../store/index.js';
import { num, type DatasetContext } from './context.js';
import { fastExactQuantile } from './quantile.js';
import type { Window } from './window.js';

export interface SlowThreshold {
  ms: number | null;
  /** Where the threshold came from: an SLO's objective, the window's P99, or nothing (no latency column). */
  source: 'slo' | 'p99' | 'none';
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The number an SLI holds the latency field under, if it is a latency SLI. */
export function latencyObjective(sli: string, durationField: string): number | null {
  const ref = escape(columnRef(durationField));
  const m = new RegExp(`\\bLTE?\\(\\s*${ref}\\s*,\\s*(\\d+(?:\\.\\d+)?)\\s*,?\\s*\\)`, 'i').exec(sli);
  return m ? Number(m[1]) : null;
}

export async function slowThreshold(
  query: QueryDeps, slis: string[], env: Environment, ctx: DatasetContext, w: Window,
): Promise<SlowThreshold> {
  // The strictest objective when several SLOs state one.
  const objectives = slis.map((s) => latencyObjective(s, ctx.fields.duration_field)).filter((x) => x !== null);
  if (objectives.length) return { ms: Math.min(...objectives), source: 'slo' };
  const type = ctx.columnTypes.get(ctx.fields.duration_field);
  if (!type) return { ms: null, source: 'none' };
  const p99 = await windowP99(query, env, ctx, w, type);
  return { ms: p99, source: p99 === null ? 'none' : 'p99' };
}

/** The window's P99 as the engine answers it; read the fast way (quantile.ts) when it can be. */
async function windowP99(query: QueryDeps, env: Environment, ctx: DatasetContext, w: Window, type: Column['type']): Promise<number | null> {
  const column = ctx.fields.duration_field;
  if (type === 'integer' || type === 'float') {
    const fast = await fastExactQuantile(query.store, ctx.datasetId, { name: column, type }, PERCENTILES.P99, w, ctx.options.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS);
    if (fast) return fast.value;
  }
  const r = await runQuery(query, env, ctx.dataset, { ...w, calculations: [{ op: 'P99', column }] }, { ...ctx.options, series: false });
  return num(r.data.results[0]?.data[`P99(${column})`]);
}
