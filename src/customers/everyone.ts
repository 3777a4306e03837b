// Everyone's figures on a customer's page (events, errors, approximate P50/P95/P99, in total
// and per time bucket) from per-minute rollups instead of a pass over every event of the
// window: the same for every customer of the dataset, and over a day of 10,000,000 events
// that pass was half of a page's time.
//
// Rollups are kept in memory per dataset and per whole hour: each minute's weighted events,
// errors and latency histogram (histogram.ts), and how many events the hour held when they
// were read. Every page first counts the events of each whole hour of its window (hours.ts);
// an hour whose count differs from its rollup's (events arrived late, the live hour grew,
// retention dropped a day, another node ingested) is read again from the events, so a rollup
// never answers for events it did not see, and nothing needs telling when events are written
// or dropped. A start begins empty and rebuilds what pages ask for. Partial hours at the
// window's edges are read from the events every time.
import { compileAndRead, parseCalculatedField, type Expr } from '../query/index.js';
import { SAMPLERATE_COLUMN, type Column, type EventStore, type SqlCompiler } from '../store/index.js';
import type { DatasetContext } from './context.js';
import { GAMMA, Tally, type Bin } from './histogram.js';
import { HOUR_US, hourCountsSql, keepRecent, recentlyUsed, runsOf, splitByHour, type Span } from './hours.js';
import type { Window } from './window.js';

const MINUTE_US = 60_000_000;
/** Hours kept per dataset (a week), and datasets kept: the oldest go first. */
const MAX_HOURS = 24 * 7;
const MAX_DATASETS = 50;

interface Minute {
  events: number;
  errors: number;
  bins: Bin[];
}

interface Hour {
  /** Stored events the hour held when its minutes were read. */
  rows: number;
  minutes: Map<number, Minute>;
}

export interface EveryoneFigures {
  total: Tally;
  /** Per time bucket start (Unix seconds). */
  buckets: Map<number, Tally>;
}

export class EveryoneRollups {
  private readonly datasets = new Map<string, Map<number, Hour>>();

  constructor(private readonly store: EventStore) {}

  /**
   * Everyone's figures over the window in buckets of `granularity` seconds; undefined when
   * rollups cannot answer (buckets shorter than a minute or not whole minutes, no whole hour
   * in the window, or more than a week of them): the engine does.
   */
  async figures(ctx: DatasetContext, w: Window, granularity: number, timeoutMs: number): Promise<EveryoneFigures | undefined> {
    const { hours: wanted, edges } = splitByHour(w, MAX_HOURS);
    if (granularity % 60 !== 0 || wanted.length === 0) return undefined;
    const source = await this.store.source([ctx.datasetId], w.start_time * 1e6, w.end_time * 1e6, columnsOf(ctx));
    const total = new Tally();
    const buckets = new Map<number, Tally>();
    if (!source) return { total, buckets };
    const deadline = Date.now() + timeoutMs;
    const query = (build: (c: SqlCompiler) => string) => compileAndRead(this.store, build, deadline, timeoutMs);

    const key = `${ctx.datasetId}\0${ctx.errorField.expression}\0${ctx.fields.duration_field}`;
    const hours = recentlyUsed(this.datasets, key, () => new Map<number, Hour>(), MAX_DATASETS);
    const counted = await query((c) => hourCountsSql(c, source, wanted));
    const stale = counted.filter((r) => hours.get(Number(r.h))?.rows !== Number(r.n)).map((r) => Number(r.h));

    const [fresh, edgeMinutes] = await Promise.all([
      Promise.all(runsOf(stale).map((span) => query((c) => minutesSql(c, ctx, source, span)))),
      Promise.all(edges.map((span) => query((c) => minutesSql(c, ctx, source, span)))),
    ]);
    const read = new Map(groupByHour(fresh.flat()));
    for (const h of stale) hours.set(h, read.get(h) ?? { rows: 0, minutes: new Map() });
    keepRecent(hours, MAX_HOURS);

    const add = (minute: number, m: Minute) => {
      total.add(m);
      const t = Math.floor((minute * 60) / granularity) * granularity;
      let b = buckets.get(t);
      if (!b) buckets.set(t, (b = new Tally()));
      b.add(m);
    };
    for (const h of wanted) for (const [minute, m] of hours.get(h)!.minutes) add(minute, m);
    for (const [minute, m] of groupByHour(edgeMinutes.flat()).flatMap(([, hour]) => [...hour.minutes])) add(minute, m);
    return { total, buckets };
  }
}

/** The columns the rollup reads: the latency field and those of the error expression. */
function columnsOf(ctx: DatasetContext): Column[] {
  const found = new Map<string, Column['type']>();
  const walk = (e: Expr): void => {
    if (e.kind === 'column' && e.type !== 'null') found.set(e.name, e.type);
    else if (e.kind === 'call') e.args.forEach(walk);
  };
  walk(errorExpr(ctx));
  const duration = latencyExpr(ctx);
  if (duration) walk(duration);
  return [...found].map(([name, type]) => ({ name, type }));
}

const resolverOf = (ctx: DatasetContext) => (name: string): Expr => {
  const type = ctx.columnTypes.get(name);
  return type ? { kind: 'column', name, type } : { kind: 'literal', value: null, type: 'null' };
};

const errorExpr = (ctx: DatasetContext) => parseCalculatedField(ctx.errorField.expression, resolverOf(ctx), 'error');

function latencyExpr(ctx: DatasetContext): Expr | undefined {
  const type = ctx.columnTypes.get(ctx.fields.duration_field);
  return type === 'integer' || type === 'float' ? { kind: 'column', name: ctx.fields.duration_field, type } : undefined;
}

/** Per minute and latency bucket: weighted events and errors, stored events, and the bucket's extremes. */
function minutesSql(c: SqlCompiler, ctx: DatasetContext, source: string, span: Span): string {
  const w = c.ident(SAMPLERATE_COLUMN);
  const latency = latencyExpr(ctx);
  const x = latency ? c.expr(latency) : c.nullOf('float');
  // The bucket exactly as the engine writes it (compile.ts), so both put a value in the same one.
  const k = `CASE WHEN ${x} = 0 THEN 0 ELSE ${c.cast(`ceil(ln(abs(${x})) / ${c.param(Math.log(GAMMA), 'float')})`, 'int32')} END`;
  const minute = c.floorDiv(c.epochMicros(c.timeColumn), c.int(MINUTE_US));
  // The sign spelled out: not every engine has sign().
  const sg = `CASE WHEN ${x} > 0 THEN 1 WHEN ${x} < 0 THEN -1 WHEN ${x} = 0 THEN 0 END`;
  return `SELECT ${minute} AS ${c.ident('m')}, ${sg} AS ${c.ident('sg')}, ${k} AS ${c.ident('k')},
      sum(${w}) AS ${c.ident('events')}, sum(${c.expr(errorExpr(ctx))} * ${c.cast(w, 'float')}) AS ${c.ident('errors')},
      count(*) AS ${c.ident('rows')}, min(${x}) AS ${c.ident('lo')}, max(${x}) AS ${c.ident('hi')}
    FROM ${source} WHERE ${c.timeRange(span)} GROUP BY ${c.ident('m')}, ${c.ident('sg')}, ${c.ident('k')}`;
}

/** The rows of minutesSql as hours of minutes. */
function groupByHour(rows: Record<string, unknown>[]): [number, Hour][] {
  const hours = new Map<number, Hour>();
  for (const r of rows) {
    const minute = Number(r.m);
    const h = Math.floor((minute * MINUTE_US) / HOUR_US);
    let hour = hours.get(h);
    if (!hour) hours.set(h, (hour = { rows: 0, minutes: new Map() }));
    let m = hour.minutes.get(minute);
    if (!m) hour.minutes.set(minute, (m = { events: 0, errors: 0, bins: [] }));
    hour.rows += Number(r.rows);
    m.events += Number(r.events);
    m.errors += Number(r.errors ?? 0);
    if (r.sg !== null && r.sg !== undefined) m.bins.push({ sg: Number(r.sg), k: Number(r.k), n: Number(r.events), lo: Number(r.lo), hi: Number(r.hi) });
  }
  return [...hours];
}
