// When is a request slow? Beyond the latency objective of an SLO over the dataset, when one
// has one; else beyond the dataset's own P99 over the window (weighted by sample rate, through
// the query engine). An SLO states a latency objective when its SLI compares the latency field
// with a number, such as `LT($duration_ms, 300)` or `LTE($duration_ms, 300)`.
import { columnRef } from '../dataset-fields/index.js';
import { runQuery, type QueryDeps } from '../query/index.js';
import type { Environment } from '../store/index.js';
import { num, type DatasetContext } from './context.js';
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
  if (!ctx.columns.has(ctx.fields.duration_field)) return { ms: null, source: 'none' };
  const r = await runQuery(query, env, ctx.dataset, { ...w, calculations: [{ op: 'P99', column: ctx.fields.duration_field }] }, { ...ctx.options, series: false });
  const p99 = num(r.data.results[0]?.data[`P99(${ctx.fields.duration_field})`]);
  return { ms: p99, source: p99 === null ? 'none' : 'p99' };
}
