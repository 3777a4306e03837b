// plan -> SQL statements, through a dialect's SqlCompiler. Two statements answer a query:
//  - totals: one row per group (breakdown values) with every calculation, havings, order, limit;
//  - series: one row per group and time bucket, for the groups the totals kept.
// Both share one shape, built from common table expressions over the matching events:
//   ev    the events of the window that pass the filters, with group keys and inputs computed
//   main  COUNT / SUM / AVG / MIN / MAX / COUNT_DISTINCT (+ bases of RATE_*) per group
//   qN    weighted percentiles of input N from a log-bucketed histogram (see percentile notes)
//   hN    HEATMAP histogram of input N between the query's min and max
//   cc    CONCURRENCY per time bucket (series only; totals compute it in main)
import { isNumeric, type Expr } from './expr.js';
import type { QueryPlan, TimeWindow } from './plan.js';
import type { CompiledSql, SqlCompiler } from './dialects/base.js';

/**
 * Relative accuracy of percentiles: each answer is within 1% of the exact weighted
 * nearest-rank value (and exact when its histogram bucket holds one distinct value).
 */
export const PERCENTILE_ACCURACY = 0.01;
const GAMMA = (1 + PERCENTILE_ACCURACY) / (1 - PERCENTILE_ACCURACY);
/** Buckets of a HEATMAP between the query's minimum and maximum value. */
export const HEATMAP_BUCKETS = 40;

/** `<time bound> AND <filters>`: the WHERE of every read (aggregates, raw events, BubbleUp). */
export function whereClause(c: SqlCompiler, window: TimeWindow, where: Expr): string {
  const time = c.timeRange(window);
  return where.kind === 'literal' && where.value === true ? time : `${time} AND ${c.expr(where)}`;
}

interface Shape {
  groupKeys: string[];
  /** Distinct aggregate inputs: index -> expression. */
  inputs: Expr[];
  inputOf: number[];
  byTime: boolean;
  needsSpan: boolean;
}

function shapeOf(plan: QueryPlan, byTime: boolean): Shape {
  const seen = new Map<string, number>();
  const inputs: Expr[] = [];
  const inputOf = plan.calcs.map((calc) => {
    if (!calc.input) return -1;
    const key = JSON.stringify(calc.input);
    let at = seen.get(key);
    if (at === undefined) {
      at = inputs.length;
      inputs.push(calc.input);
      seen.set(key, at);
    }
    return at;
  });
  return {
    groupKeys: plan.groups.map((_, i) => `g${i}`),
    inputs,
    inputOf,
    byTime,
    needsSpan: plan.calcs.some((c) => c.op === 'CONCURRENCY'),
  };
}

/**
 * Compiles one aggregate statement. `byTime` adds the time bucket `t` (µs) to the keys;
 * `restrictTo` limits the events to the groups that statement returns (the totals' top groups).
 */
export function compileAggregate(c: SqlCompiler, plan: QueryPlan, source: string, byTime: boolean, restrictTo?: string): string {
  const shape = shapeOf(plan, byTime);
  const id = (n: string) => c.ident(n);
  const keys = [...shape.groupKeys, ...(byTime ? ['t'] : [])].map(id);
  const groupBy = keys.length ? ` GROUP BY ${keys.join(', ')}` : '';
  const partition = keys.length ? `PARTITION BY ${keys.join(', ')} ` : '';
  const w = id('w');
  const a = (i: number) => id(`a${i}`);
  const ctes: string[] = [];

  // ev: the matching events, computed once.
  const evCols = plan.groups.map((g, i) => `${groupValue(c, g.expr)} AS ${id(`g${i}`)}`);
  if (byTime) evCols.push(`${c.timeBucket(plan.granularity * 1e6)} AS ${id('t')}`);
  shape.inputs.forEach((e, i) => evCols.push(`${c.expr(e)} AS ${a(i)}`));
  evCols.push(`${c.weightColumn} AS ${w}`);
  if (shape.needsSpan) {
    evCols.push(`${c.epochMicros(c.timeColumn)} AS ${id('s')}`);
    evCols.push(`${isNumeric(plan.duration.type) ? c.expr(plan.duration) : 'CAST(NULL AS DOUBLE)'} AS ${id('d')}`);
  }
  ctes.push(`${id('ev0')} AS (SELECT ${evCols.join(', ')} FROM ${source} WHERE ${whereClause(c, plan.window, plan.where)})`);
  if (restrictTo) {
    const match = shape.groupKeys.map((k) => c.sameValue(`${id('top')}.${id(k)}`, `${id('ev0')}.${id(k)}`)).join(' AND ');
    ctes.push(`${id('top')} AS (${restrictTo})`);
    ctes.push(`${id('ev')} AS (SELECT * FROM ${id('ev0')} WHERE EXISTS (SELECT 1 FROM ${id('top')} WHERE ${match}))`);
  } else {
    ctes.push(`${id('ev')} AS (SELECT * FROM ${id('ev0')})`);
  }

  // main: the plain aggregates.
  const mainCols = [...keys, `count(*) AS ${id('__rows')}`];
  const joins: { cte: string; cols: string[] }[] = [];
  const finalCols: string[] = [];
  const windowUs = plan.window.endUs - plan.window.startUs;
  plan.calcs.forEach((calc, k) => {
    const out = id(`c${k}`);
    const x = shape.inputOf[k] >= 0 ? a(shape.inputOf[k]) : '';
    let agg: string | undefined;
    switch (calc.op) {
      case 'COUNT': agg = `sum(${w})`; break;
      case 'SUM': case 'RATE_SUM': agg = `sum(${x} * ${w})`; break;
      case 'AVG': case 'RATE_AVG':
        agg = `sum(${x} * ${w}) / CAST(sum(CASE WHEN ${x} IS NOT NULL THEN ${w} END) AS DOUBLE)`; break;
      case 'MIN': agg = `min(${x})`; break;
      case 'MAX': case 'RATE_MAX': agg = `max(${x})`; break;
      case 'COUNT_DISTINCT': agg = c.countDistinct(x); break;
      case 'CONCURRENCY':
        if (!byTime) {
          const end = `LEAST(${id('s')} + CAST(${id('d')} * 1000 AS BIGINT), ${c.int(plan.window.endUs)})`;
          agg = `sum(CASE WHEN ${id('d')} >= 0 THEN ${w} * (${end} - ${id('s')}) END) / CAST(${c.int(windowUs)} AS DOUBLE)`;
        }
        break;
    }
    if (agg) {
      mainCols.push(`${agg} AS ${out}`);
      finalCols.push(`${id('main')}.${out}`);
    } else {
      finalCols.push(`${out}`);
    }
  });
  ctes.push(`${id('main')} AS (SELECT ${mainCols.join(', ')} FROM ${id('ev')}${groupBy})`);

  // qN: percentiles, one histogram per input shared by its percentiles.
  shape.inputs.forEach((_, i) => {
    const ks = plan.calcs.map((calc, k) => ({ calc, k })).filter(({ calc, k }) => calc.quantile !== undefined && shape.inputOf[k] === i);
    if (ks.length === 0) return;
    const [b, cu, q] = [id(`q${i}b`), id(`q${i}c`), id(`q${i}`)];
    const x = a(i);
    const lnGamma = c.param(Math.log(GAMMA), 'float');
    ctes.push(
      `${b} AS (SELECT ${[...keys, `sign(${x}) AS ${id('sg')}`, `CASE WHEN ${x} = 0 THEN 0 ELSE CAST(ceil(ln(abs(${x})) / ${lnGamma}) AS INTEGER) END AS ${id('k')}`, `sum(${w}) AS ${id('n')}`, `min(${x}) AS ${id('lo')}`, `max(${x}) AS ${id('hi')}`].join(', ')} FROM ${id('ev')} WHERE ${x} IS NOT NULL GROUP BY ${[...keys, id('sg'), id('k')].join(', ')})`,
    );
    ctes.push(
      `${cu} AS (SELECT *, sum(${id('n')}) OVER (${partition}ORDER BY ${id('sg')}, ${id('sg')} * ${id('k')} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS ${id('cum')}, sum(${id('n')}) OVER (${partition.trim()}) AS ${id('tot')} FROM ${b})`,
    );
    const gamma = c.param(GAMMA, 'float');
    const rep = `GREATEST(${id('lo')}, LEAST(${id('hi')}, ${id('sg')} * 2 * pow(${gamma}, ${id('k')}) / (${gamma} + 1)))`;
    const vals = ks.map(({ calc, k }) => `min(CASE WHEN ${id('cum')} >= ${c.param(calc.quantile!, 'float')} * ${id('tot')} THEN ${rep} END) AS ${id(`c${k}`)}`);
    ctes.push(`${q} AS (SELECT ${[...keys, ...vals].join(', ')} FROM ${cu}${groupBy})`);
    joins.push({ cte: `q${i}`, cols: ks.map(({ k }) => `c${k}`) });
  });

  // hN: heatmaps, bucketed between the query-wide min and max.
  shape.inputs.forEach((_, i) => {
    const ks = plan.calcs.map((calc, k) => ({ calc, k })).filter(({ calc, k }) => calc.op === 'HEATMAP' && shape.inputOf[k] === i);
    if (ks.length === 0) return;
    const x = a(i);
    const [r, b, h] = [id(`h${i}r`), id(`h${i}b`), id(`h${i}`)];
    const n = c.int(HEATMAP_BUCKETS);
    // Bounds over every matching event (ev0), so totals and a restricted series share buckets.
    ctes.push(`${r} AS (SELECT min(${x}) AS ${id('lo')}, max(${x}) AS ${id('hi')} FROM ${id('ev0')})`);
    const idx = `CASE WHEN ${id('hi')} = ${id('lo')} THEN 0 ELSE LEAST(${n} - 1, CAST(FLOOR((${x} - ${id('lo')}) / CAST(${id('hi')} - ${id('lo')} AS DOUBLE) * ${n}) AS INTEGER)) END`;
    ctes.push(`${b} AS (SELECT ${[...keys, `${idx} AS ${id('i')}`, `sum(${w}) AS ${id('n')}`, `min(${id('lo')}) AS ${id('lo')}`, `min(${id('hi')}) AS ${id('hi')}`].join(', ')} FROM ${id('ev')} CROSS JOIN ${r} WHERE ${x} IS NOT NULL GROUP BY ${[...keys, id('i')].join(', ')})`);
    const cols = ks.map(({ k }) => `${c.collectPairs(id('i'), id('n'))} || '|' || CAST(min(${id('lo')}) AS VARCHAR) || '|' || CAST(min(${id('hi')}) AS VARCHAR) AS ${id(`c${k}`)}`);
    ctes.push(`${h} AS (SELECT ${[...keys, ...cols].join(', ')} FROM ${b}${groupBy})`);
    joins.push({ cte: `h${i}`, cols: ks.map(({ k }) => `c${k}`) });
  });

  // cc: concurrency per time bucket, each span counted for the part of the bucket it covers.
  const ccCalcs = plan.calcs.map((calc, k) => ({ calc, k })).filter(({ calc }) => calc.op === 'CONCURRENCY');
  if (byTime && ccCalcs.length) {
    const g = plan.granularity * 1e6;
    const gk = shape.groupKeys.map(id);
    const spans = `SELECT ${[...gk, w, id('s'), `LEAST(${id('s')} + CAST(${id('d')} * 1000 AS BIGINT), ${c.int(plan.window.endUs)}) AS ${id('e')}`].join(', ')} FROM ${id('ev')} WHERE ${id('d')} >= 0`;
    const covered = `SELECT ${[...gk, w, id('s'), id('e'), `unnest(${c.bucketStarts(id('s'), id('e'), g)}) AS ${id('t')}`].join(', ')} FROM (${spans}) ${id('sp')}`;
    const gp = c.int(g);
    const overlap = `sum(${w} * (LEAST(${id('e')}, ${id('t')} + ${gp}) - GREATEST(${id('s')}, ${id('t')}))) / CAST(${gp} AS DOUBLE)`;
    ctes.push(`${id('cc')} AS (SELECT ${[...gk, id('t'), ...ccCalcs.map(({ k }) => `${overlap} AS ${id(`c${k}`)}`)].join(', ')} FROM (${covered}) ${id('cv')} GROUP BY ${[...gk, id('t')].join(', ')})`);
    joins.push({ cte: 'cc', cols: ccCalcs.map(({ k }) => `c${k}`) });
  }

  // Join the parts on the keys (null-safe: a missing breakdown value is a group too).
  const joinOf = new Map<string, string>();
  for (const j of joins) for (const col of j.cols) joinOf.set(col, j.cte);
  // Spans cover buckets after the one they start in, where no event may start: the
  // concurrency part then has rows main lacks, so it joins in full.
  const full = joins.some((j) => j.cte === 'cc');
  const keyOf = (k: string) => (full ? `COALESCE(${id('main')}.${k}, ${id('cc')}.${k}) AS ${k}` : `${id('main')}.${k}`);
  const select = [
    ...keys.map(keyOf),
    `${id('main')}.${id('__rows')}`,
    ...finalCols.map((fc, k) => {
      const cte = joinOf.get(`c${k}`);
      if (cte) return `${id(cte)}.${id(`c${k}`)} AS ${id(`c${k}`)}`;
      return fc.startsWith(`${id('main')}.`) ? fc : `CAST(NULL AS DOUBLE) AS ${id(`c${k}`)}`;
    }),
  ];
  let from = id('main');
  for (const j of joins) {
    const on = keys.length ? keys.map((k) => c.sameValue(`${id('main')}.${k}`, `${id(j.cte)}.${k}`)).join(' AND ') : 'TRUE';
    from += ` ${j.cte === 'cc' ? 'FULL OUTER' : 'LEFT'} JOIN ${id(j.cte)} ON ${on}`;
  }
  return `WITH ${ctes.join(',\n')}\nSELECT ${select.join(', ')} FROM ${from}`;
}

/** A breakdown value: unknown columns group as one null group. */
function groupValue(c: SqlCompiler, e: Expr): string {
  return e.type === 'null' ? `CAST(NULL AS VARCHAR)` : c.expr(e);
}

const HAVING_SQL = { '=': '=', '!=': '<>', '>': '>', '>=': '>=', '<': '<', '<=': '<=' } as const;

/** The totals statement: per group, havings applied, ordered, limited. */
export function compileTotals(c: SqlCompiler, plan: QueryPlan, source: string): string {
  const id = (n: string) => c.ident(n);
  const inner = compileAggregate(c, plan, source, false);
  const having = plan.havings.map((h) => `${id(`c${h.calc}`)} ${HAVING_SQL[h.op]} ${c.param(h.value, 'float')}`);
  const order = plan.orders.map((o) => `${id(o.calc !== undefined ? `c${o.calc}` : `g${o.group}`)} ${o.descending ? 'DESC' : 'ASC'} NULLS LAST`);
  // Ties break on the group keys so the same data always gives the same answer.
  plan.groups.forEach((_, i) => order.push(`${id(`g${i}`)} ASC NULLS LAST`));
  return [
    `SELECT * FROM (SELECT *, sum(${id('__rows')}) OVER () AS ${id('__total_rows')} FROM (${inner}) ${id('agg')}) ${id('totals')}`,
    having.length ? ` WHERE ${having.join(' AND ')}` : '',
    order.length ? ` ORDER BY ${order.join(', ')}` : '',
    ` LIMIT ${c.int(plan.limit)}`,
  ].join('');
}

/**
 * The statements for one query. `restrict` says whether the series must be limited to the
 * totals' groups (needed when the limit or a having dropped some).
 */
export function compileSeries(c: SqlCompiler, plan: QueryPlan, source: string, restrict: boolean): string {
  if (!restrict || plan.groups.length === 0) return compileAggregate(c, plan, source, true);
  const keys = plan.groups.map((_, i) => c.ident(`g${i}`)).join(', ');
  // Finding the top groups needs only the calculations that order or filter them.
  const used = new Set([...plan.orders.map((o) => o.calc), ...plan.havings.map((h) => h.calc)]);
  const ranking = { ...plan, calcs: plan.calcs.map((calc, k) => (used.has(k) ? calc : { key: calc.key, op: 'COUNT' as const })) };
  const top = `SELECT ${keys} FROM (${compileTotals(c, ranking, source)}) ${c.ident('kept')}`;
  return compileAggregate(c, plan, source, true, top);
}

/** Compiles with a fresh parameter list: what the store runs. */
export function compiled(c: SqlCompiler, build: (c: SqlCompiler) => string): CompiledSql {
  const sql = build(c);
  return { sql, params: c.params };
}
