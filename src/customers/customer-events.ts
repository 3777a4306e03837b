// The requests (weighted by sample rate) of a few customers over a window: the list's second
// read, once it knows its top customers (most-affected.ts). Reading them filters every event
// of the window on the customer field; a list asked again (a refresh, another sort) mostly has
// the same customers, so their counts are kept per whole hour, checked by each hour's event
// count (hours.ts) like everyone's figures: only hours whose count changed, customers not yet
// kept, and the window's partial edge hours are read from the events.
import { compileAndRead, type Expr } from '../query/index.js';
import { SAMPLERATE_COLUMN, type EventStore, type SqlCompiler } from '../store/index.js';
import type { DatasetContext } from './context.js';
import { HOUR_US, hourCountsSql, keepRecent, recentlyUsed, runsOf, splitByHour, type Span } from './hours.js';
import type { Window } from './window.js';

/** Hours kept per dataset (a week), and datasets kept. */
const MAX_HOURS = 24 * 7;
const MAX_DATASETS = 50;

type Id = string | number;

interface Hour {
  /** Stored events the hour held when the customers below were read. */
  rows: number;
  /** By the customer's value as text (the statement answers it so, whatever the column's type). */
  events: Map<string, number>;
}

export class CustomerEvents {
  private readonly datasets = new Map<string, Map<number, Hour>>();

  constructor(private readonly store: EventStore) {}

  /** Each customer's weighted requests in the window (0 for one with none), by the customer's value as text. */
  async of(ctx: DatasetContext, w: Window, ids: Id[], timeoutMs: number): Promise<Map<string, number>> {
    const keys = ids.map(String);
    const out = new Map<string, number>(keys.map((k) => [k, 0]));
    const type = ctx.columnTypes.get(ctx.fields.customer_field);
    if (!type || ids.length === 0) return out;
    const customer: Expr = { kind: 'column', name: ctx.fields.customer_field, type };
    const source = await this.store.source([ctx.datasetId], w.start_time * 1e6, w.end_time * 1e6, [{ name: customer.name, type }]);
    if (!source) return out;
    const deadline = Date.now() + timeoutMs;
    const query = (build: (c: SqlCompiler) => string) => compileAndRead(this.store, build, deadline, timeoutMs);
    const { hours: wanted, edges } = splitByHour(w, MAX_HOURS);
    const hours = recentlyUsed(this.datasets, `${ctx.datasetId}\0${customer.name}`, () => new Map<number, Hour>(), MAX_DATASETS);

    const counted = wanted.length ? await query((c) => hourCountsSql(c, source, wanted)) : [];
    const stale = counted.filter((r) => hours.get(Number(r.h))?.rows !== Number(r.n)).map((r) => Number(r.h));
    const staleSet = new Set(stale);
    const missing = ids.filter((id) => wanted.some((h) => !staleSet.has(h) && !hours.get(h)!.events.has(String(id))));
    const kept = wanted.filter((h) => !staleSet.has(h));

    const read = (spans: Span[], which: Id[]) => Promise.all(spans.map((span) => query((c) => countsSql(c, source, customer, which, span))));
    const [fresh, added, edgeRows] = await Promise.all([
      read(runsOf(stale), ids),
      missing.length ? read(runsOf(kept), missing) : [],
      read(edges, ids),
    ]);
    for (const h of stale) hours.set(h, { rows: 0, events: new Map() });
    for (const r of fresh.flat()) if (r.id === null) hours.get(Number(r.h))!.rows = Number(r.rows);
    for (const r of [...fresh.flat(), ...added.flat()]) if (r.id !== null) hours.get(Number(r.h))!.events.set(String(r.id), Number(r.events));
    // A customer read with no request in an hour is kept as 0 there, so it is not read again.
    const zero = (h: number, which: Id[]) => { for (const id of which) if (!hours.get(h)!.events.has(String(id))) hours.get(h)!.events.set(String(id), 0); };
    for (const h of stale) zero(h, ids);
    for (const h of kept) zero(h, missing);

    for (const h of wanted) for (const k of keys) out.set(k, out.get(k)! + hours.get(h)!.events.get(k)!);
    for (const r of edgeRows.flat()) if (r.id !== null) out.set(String(r.id), out.get(String(r.id))! + Number(r.events));
    keepRecent(hours, MAX_HOURS);
    return out;
  }
}

/**
 * Per hour of the span: the stored events (`rows`, with `id` null) and each customer's
 * weighted requests, in one statement so both come from the same reading of the events.
 */
function countsSql(c: SqlCompiler, source: string, customer: Expr, ids: Id[], span: Span): string {
  const hour = c.floorDiv(c.epochMicros(c.timeColumn), c.int(HOUR_US));
  const asked: Expr = { kind: 'call', fn: 'in', args: [customer, ...ids.map((id): Expr => ({ kind: 'literal', value: id, type: customer.type }))], type: 'boolean' };
  const where = c.timeRange(span);
  const x = c.expr(customer);
  const [h, id, rows, events] = ['h', 'id', 'rows', 'events'].map((n) => c.ident(n));
  return `SELECT ${hour} AS ${h}, ${c.nullOf('string')} AS ${id}, count(*) AS ${rows}, 0 AS ${events} FROM ${source} WHERE ${where} GROUP BY ${h}
    UNION ALL SELECT ${hour} AS ${h}, ${c.cast(x, 'string')} AS ${id}, 0 AS ${rows}, sum(${c.ident(SAMPLERATE_COLUMN)}) AS ${events} FROM ${source} WHERE ${where} AND ${c.expr(asked)} GROUP BY ${h}, ${id}`;
}
