// Evaluates triggers through the query engine (never SQL of its own). Triggers of one
// environment that ask the same question of the same dataset over the same window (same
// filters, breakdowns, calculated fields) share one query: their calculations are asked
// together and each reads its own column of the answer.
import { calculationKey, runQuery, type Calculation, type QueryDeps, type QuerySpec } from '../../query/index.js';
import type { Environment } from '../../store/index.js';
import { HttpError } from '../../http/index.js';
import { windowOf, type Trigger } from './definition.js';

/** One group's value (null: the calculation had no data), keyed by the breakdown values. */
export interface GroupValue {
  groups: Record<string, string>;
  value: number | null;
}

export interface Evaluation {
  trigger: Trigger;
  values: GroupValue[];
  /** Why the query could not run (the dataset is gone, a column is unknown, a timeout). */
  error?: string;
  durationMs: number;
}

function shareKey(t: Trigger): string {
  const { calculations: _c, orders: _o, ...rest } = t.query;
  return JSON.stringify([t.envId, t.dataset.toLowerCase(), windowOf(t), rest]);
}

const bareKey = (t: Trigger) => {
  const c = t.query.calculations![0];
  return calculationKey({ op: c.op, column: c.column });
};

export async function evaluate(deps: QueryDeps, envOf: (id: string) => Environment | undefined, triggers: Trigger[], nowSeconds: number, timeoutMs: number): Promise<Evaluation[]> {
  const shared = new Map<string, Trigger[]>();
  for (const t of triggers) shared.set(shareKey(t), [...(shared.get(shareKey(t)) ?? []), t]);
  const out: Evaluation[] = [];
  for (const group of shared.values()) {
    const started = performance.now();
    const first = group[0];
    const calcs = new Map<string, Calculation>();
    for (const t of group) {
      const c = t.query.calculations![0];
      calcs.set(bareKey(t), { op: c.op, column: c.column });
    }
    const { orders: _o, ...base } = first.query;
    const spec: QuerySpec = { ...base, calculations: [...calcs.values()], time_range: windowOf(first), limit: first.query.limit ?? 1000 };
    const env = envOf(first.envId);
    try {
      if (!env) throw new Error('the environment is gone');
      const result = await runQuery(deps, env, first.dataset, spec, { series: false, nowSeconds, timeoutMs });
      const breakdowns = spec.breakdowns ?? [];
      const durationMs = performance.now() - started;
      for (const t of group) {
        const key = bareKey(t);
        const values = result.data.results.map((r) => ({
          groups: Object.fromEntries(breakdowns.map((b) => [b, r.data[b] === null || r.data[b] === undefined ? '' : String(r.data[b])])),
          value: typeof r.data[key] === 'number' ? (r.data[key] as number) : null,
        }));
        out.push({ trigger: t, values, durationMs });
      }
    } catch (err) {
      // A dataset nobody has written to yet is no data, not a failure.
      const missing = err instanceof HttpError && err.status === 404;
      const durationMs = performance.now() - started;
      for (const t of group) out.push({ trigger: t, values: [], error: missing ? undefined : (err as Error).message, durationMs });
    }
  }
  return out;
}
