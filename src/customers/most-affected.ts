// GET /api/v1/customers: the customers of a dataset hurt most in a window. One grouped query
// over the customer field counts each customer's requests, errors and slow requests (all
// weighted by sample rate) and ranks them by score, errors plus slow requests, so a customer
// whose requests both fail and crawl comes first. `sort` may rank by events, errors or slow
// instead.
import { z } from 'zod';
import { runQuery, type Calculation } from '../query/index.js';
import type { Environment } from '../store/index.js';
import { datasetContext, num, ratio, SCORE_FIELD, slowField, SLOW_FIELD, type CustomerDeps } from './context.js';
import { slowThreshold, type SlowThreshold } from './slow.js';
import type { Window } from './window.js';

export const SORTS = ['most_affected', 'events', 'errors', 'slow'] as const;
export const MAX_CUSTOMERS = 1000;

export const ListParams = z.object({
  sort: z.enum(SORTS).default('most_affected'),
  limit: z.coerce.number().int().min(1).max(MAX_CUSTOMERS).default(20),
});

export interface CustomerRow {
  id: string;
  events: number;
  errors: number;
  error_rate: number;
  slow: number;
  score: number;
}

export interface CustomerList {
  dataset: string;
  customer_field: string;
  start_time: number;
  end_time: number;
  sort: (typeof SORTS)[number];
  slow_threshold_ms: number | null;
  slow_threshold_source: SlowThreshold['source'];
  customers: CustomerRow[];
  duration_ms: number;
}

export async function mostAffected(
  deps: CustomerDeps, env: Environment, dataset: string, w: Window, params: z.infer<typeof ListParams>, timeoutMs?: number,
): Promise<CustomerList> {
  const started = Date.now();
  const ctx = await datasetContext(deps, env, dataset, timeoutMs);
  const slow = await slowThreshold(deps.query, deps.slis(env.id, ctx.dataset), env, ctx, w);
  const base = { dataset: ctx.dataset, customer_field: ctx.fields.customer_field, ...w, sort: params.sort, slow_threshold_ms: slow.ms, slow_threshold_source: slow.source };
  if (!ctx.columns.has(ctx.fields.customer_field)) return { ...base, customers: [], duration_ms: Date.now() - started };

  const calcs: Calculation[] = [
    { op: 'COUNT', name: 'events' },
    { op: 'SUM', column: ctx.errorField.name, name: 'errors' },
    { op: 'SUM', column: SLOW_FIELD, name: 'slow' },
    { op: 'SUM', column: SCORE_FIELD, name: 'score' },
  ];
  const orderBy = { most_affected: calcs[3], events: calcs[0], errors: calcs[1], slow: calcs[2] }[params.sort];
  const r = await runQuery(deps.query, env, ctx.dataset, {
    ...w,
    calculated_fields: [
      ctx.errorField,
      slowField(ctx, slow.ms),
      { name: SCORE_FIELD, expression: `SUM($${ctx.errorField.name}, $${SLOW_FIELD})` },
    ],
    calculations: calcs,
    breakdowns: [ctx.fields.customer_field],
    filters: [{ column: ctx.fields.customer_field, op: 'exists' }],
    orders: [{ op: orderBy.op, column: orderBy.column, order: 'descending' }],
    limit: params.limit,
  }, { ...ctx.options, series: false });
  const customers = r.data.results.map((row) => {
    const events = num(row.data.events) ?? 0;
    const errors = num(row.data.errors) ?? 0;
    return { id: String(row.data[ctx.fields.customer_field]), events, errors, error_rate: ratio(errors, events), slow: num(row.data.slow) ?? 0, score: num(row.data.score) ?? 0 };
  });
  return { ...base, customers, duration_ms: Date.now() - started };
}
