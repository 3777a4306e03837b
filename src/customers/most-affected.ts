// GET /api/v1/customers: the customers of a dataset hurt most in a window. Grouped queries
// over the customer field count each customer's requests, errors and slow requests (all
// weighted by sample rate) and rank them by score, errors plus slow requests, so a customer
// whose requests both fail and crawl comes first. `sort` may rank by events, errors or slow
// instead.
import { z } from 'zod';
import { DEFAULT_QUERY_TIMEOUT_MS, runQuery, type Calculation, type QuerySpec } from '../query/index.js';
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
  const customer = ctx.fields.customer_field;
  const spec: QuerySpec = {
    ...w,
    calculated_fields: [
      ctx.errorField,
      slowField(ctx, slow.ms),
      { name: SCORE_FIELD, expression: `SUM($${ctx.errorField.name}, $${SLOW_FIELD})` },
    ],
    calculations: calcs,
    breakdowns: [customer],
    filters: [{ column: customer, op: 'exists' }],
    orders: [{ op: orderBy.op, column: orderBy.column, order: 'descending' }],
    limit: params.limit,
  };
  const run = (s: QuerySpec) => runQuery(deps.query, env, ctx.dataset, s, { ...ctx.options, series: false }).then((r) => r.data.results.map((row) => row.data));
  const rows = params.sort === 'events' ? await run(spec) : await hurtFirst(run, spec, orderBy.name!, customer,
    (ids) => deps.customerEvents.of(ctx, w, ids, ctx.options.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS));
  const customers = rows.map((row) => {
    const events = num(row.events) ?? 0;
    const errors = num(row.errors) ?? 0;
    return { id: String(row[customer]), events, errors, error_rate: ratio(errors, events), slow: num(row.slow) ?? 0, score: num(row.score) ?? 0 };
  });
  return { ...base, customers, duration_ms: Date.now() - started };
}

/**
 * Ranking by errors, slow requests or score reads the requests that count toward any of them
 * first (most requests are neither failing nor slow, so this grouped read is small): each
 * customer's errors, slow requests and score are whole there; ranked and cut to the limit;
 * then only those customers' own requests, for their events (customer-events.ts). When the last one kept counts
 * nothing toward the ranking (fewer customers than the limit count anything), the rest are
 * ranked by id among all customers, which only the whole read knows: then it is the one
 * grouped query over every request (the design compared in bench/customers-designs.ts).
 */
async function hurtFirst(
  run: (s: QuerySpec) => Promise<Record<string, unknown>[]>, spec: QuerySpec, ranked: string, customer: string,
  eventsOf: (ids: (string | number)[]) => Promise<Map<string, number>>,
): Promise<Record<string, unknown>[]> {
  const hurt = await run({ ...spec, filters: [...spec.filters!, { column: SCORE_FIELD, op: '>', value: 0 }] });
  const last = hurt.at(-1);
  if (hurt.length < spec.limit! || !(Number(last?.[ranked]) > 0)) return run(spec);
  const events = await eventsOf(hurt.map((row) => row[customer] as string | number));
  return hurt.map((row) => ({ ...row, events: events.get(String(row[customer])) }));
}
