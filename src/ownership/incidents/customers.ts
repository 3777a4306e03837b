// Customers affected: over an incident's window, the customers (a field of the service's events,
// `customer_id` by default) with the most errors (an `error` field, or a status code of 500 and
// up) and the most slow requests (duration_ms past a threshold), with counts, through the query
// engine (weighted by sample rate, bounded and timed out like any query). Only fields the
// dataset has are asked for; a dataset without the customer field has nothing to say.
import { runQuery, type Filter, type QueryDeps } from '../../query/index.js';
import type { Environment } from '../../store/index.js';

const STATUS_FIELDS = ['http.status_code', 'status', 'http.response.status_code'];
const TOP = 10;

export interface AffectedCustomer {
  customer: string;
  errors: number;
  slow: number;
}

export interface CustomerSettings {
  customer_field: string;
  slow_ms: number;
}

export async function customersAffected(
  deps: QueryDeps, env: Environment, datasets: string[], fromMs: number, toMs: number, s: CustomerSettings,
): Promise<AffectedCustomer[]> {
  const byCustomer = new Map<string, AffectedCustomer>();
  const add = (customer: string, key: 'errors' | 'slow', n: number) => {
    const c = byCustomer.get(customer) ?? { customer, errors: 0, slow: 0 };
    c[key] += n;
    byCustomer.set(customer, c);
  };
  // Whole seconds that hold the window (a query's times are seconds).
  const window = { start_time: Math.floor(fromMs / 1000), end_time: Math.max(Math.ceil(toMs / 1000), Math.floor(fromMs / 1000) + 1) };
  for (const name of datasets) {
    const ds = await deps.datasets.find(env.id, name);
    if (!ds) continue;
    const have = new Set((await deps.store.columns(ds.id)).map((c) => c.name));
    if (!have.has(s.customer_field)) continue;
    const count = async (filters: Filter[], combination: 'AND' | 'OR') => {
      const r = await runQuery(deps, env, name, {
        ...window, calculations: [{ op: 'COUNT' }], breakdowns: [s.customer_field], filters, filter_combination: combination,
        orders: [{ op: 'COUNT', order: 'descending' }], limit: TOP,
      }, { series: false, timeoutMs: 10_000 });
      return r.data.results.map((row) => ({ customer: String(row.data[s.customer_field] ?? ''), n: Number(row.data.COUNT ?? 0) })).filter((x) => x.customer && x.n > 0);
    };
    const errorFilters: Filter[] = [
      ...(have.has('error') ? [{ column: 'error', op: 'exists' as const }] : []),
      ...STATUS_FIELDS.filter((f) => have.has(f)).map((column) => ({ column, op: '>=' as const, value: 500 })),
    ];
    if (errorFilters.length) for (const x of await count(errorFilters, 'OR')) add(x.customer, 'errors', x.n);
    if (have.has('duration_ms')) for (const x of await count([{ column: 'duration_ms', op: '>', value: s.slow_ms }], 'AND')) add(x.customer, 'slow', x.n);
  }
  return [...byCustomer.values()].sort((a, b) => b.errors + b.slow - (a.errors + a.slow) || a.customer.localeCompare(b.customer)).slice(0, TOP);
}
