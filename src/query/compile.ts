// plan -> one SQL statement, through the store's SqlCompiler. Rows with `t` NULL are the
// totals (one per group: breakdown values), rows with `t` set are the series (one per group
// and time bucket). Common table expressions, in order:
//   ev      the events of the window that pass the filters: group keys, time bucket, inputs
//   hNr     the bounds of HEATMAP input N over every matching event
//   main    COUNT / SUM / AVG / MIN / MAX / COUNT_DISTINCT / percentiles (+ bases of RATE_*)
//   qN      weighted percentiles of input N, when some event has a sample rate above 1
//   hN      HEATMAP histogram of input N between its bounds
//   cc      CONCURRENCY per time bucket (totals compute it in main)
//   final   the parts joined on the keys
//   top     the totals that pass the havings, the first `limit` in the query's order, numbered
// Most queries read the events once and aggregate totals and series together: with GROUPING
// SETS, or, when every aggregate combines (sums, minimums, maximums: COUNT, SUM, AVG, MIN,
// MAX, RATE_*, CONCURRENCY, HEATMAP counts), per group and time bucket only (`mains`,
// `hNbs`), the totals then made from those few rows. A query that drops groups (a having, or a small limit) aggregates totals only in that
// pass, and then the series of the groups in top in a second one (the same CTEs prefixed
// `s_`, over `evs`: the events of those groups). The answer is the rows of the groups in
// top, each with its `__rank`, and the query's figures (`__total_rows`, `__groups`, and
// `__max_w` when percentiles are exact).
import { columnsOf, isNumeric, type Expr } from './expr.js';
import type { QueryPlan, TimeWindow } from './plan.js';
import { QUERY_LIMITS } from './spec.js';
import type { Column, SqlCompiler } from '../store/index.js';

/**
 * Relative accuracy of weighted percentiles: each answer is within 1% of the exact weighted
 * nearest-rank value (and exact when its histogram bucket holds one distinct value). Without
 * sample rates, percentiles are exact.
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

export interface CompileOptions {
  /** Compute the series (time buckets) as well as the totals. */
  series: boolean;
  /** Some event may have a sample rate above 1: percentiles must weigh them. */
  weighted: boolean;
}

/** The stored columns a plan reads, with the types it reads them as (for EventStore.source). */
export function planColumns(plan: QueryPlan): Column[] {
  return columnsOf([plan.where, plan.duration, ...plan.groups.map((g) => g.expr), ...plan.calcs.flatMap((calc) => (calc.input ? [calc.input] : []))]);
}

/** How many groups (the first in order) get a series: the answer's points stay bounded. */
export function seriesGroupLimit(plan: QueryPlan): number {
  const buckets = Math.ceil((plan.window.endUs - plan.window.startUs) / (plan.granularity * 1e6)) + 1;
  return Math.max(1, Math.floor(QUERY_LIMITS.maxSeriesPoints / buckets));
}

const HAVING_SQL = { '=': '=', '!=': '<>', '>': '>', '>=': '>=', '<': '<', '<=': '<=' } as const;

/** Aggregates over the events of the window (totals, series, or both), in one of a statement's passes. */
type Pass = 'both' | 'totals' | 'series';

/**
 * Compiles a planned query into one statement (see the top of this file for its shape).
 * `options.weighted` false: exact percentiles, and the statement answers `__max_w`, the
 * highest sample rate it read; above 1, the caller compiles again with `weighted` true.
 */
export function compileQuery(c: SqlCompiler, plan: QueryPlan, source: string, options: CompileOptions): string {
  const own = c.queryStatement(plan, source, options, { where: () => whereClause(c, plan.window, plan.where), seriesGroups: seriesGroupLimit(plan), heatmapBuckets: HEATMAP_BUCKETS });
  if (own !== undefined) return own;
  const id = (n: string) => c.ident(n);
  const groupKeys = plan.groups.map((_, i) => id(`g${i}`));
  const t = id('t');
  const keys = [...groupKeys, t];
  const w = id('w');
  const a = (i: number) => id(`a${i}`);
  const quantiles = plan.calcs.some((calc) => calc.quantile !== undefined);
  // A query that drops groups (a having, or a limit below the default) ranks its totals first
  // and computes series only for the groups it keeps: with many groups (customer ids), the
  // series of the dropped ones cost far more than a second read of the events. Otherwise one
  // pass answers both with GROUPING SETS, cheaper than reading twice when groups are few.
  const cutFirst = options.series && groupKeys.length > 0 && (plan.havings.length > 0 || plan.limit < QUERY_LIMITS.defaultLimit);

  // Distinct aggregate inputs, computed once in ev.
  const inputs: Expr[] = [];
  const seen = new Map<string, number>();
  const inputOf = plan.calcs.map((calc) => {
    if (!calc.input) return -1;
    const key = JSON.stringify(calc.input);
    if (!seen.has(key)) {
      seen.set(key, inputs.length);
      inputs.push(calc.input);
    }
    return seen.get(key)!;
  });
  const span = plan.calcs.some((calc) => calc.op === 'CONCURRENCY');
  const ctes: string[] = [];

  const evCols = plan.groups.map((g, i) => `${g.expr.type === 'null' ? c.nullOf('string') : c.expr(g.expr)} AS ${id(`g${i}`)}`);
  if (options.series) evCols.push(`${c.timeBucket(plan.granularity * 1e6)} AS ${t}`);
  inputs.forEach((e, i) => evCols.push(`${c.expr(e)} AS ${a(i)}`));
  evCols.push(`${c.weightColumn} AS ${w}`);
  if (span) {
    evCols.push(`${c.epochMicros(c.timeColumn)} AS ${id('s')}`);
    evCols.push(`${isNumeric(plan.duration.type) ? c.expr(plan.duration) : c.nullOf('float')} AS ${id('d')}`);
  }
  ctes.push(`${id('ev')} AS (SELECT ${evCols.join(', ')} FROM ${source} WHERE ${whereClause(c, plan.window, plan.where)})`);

  // hNr: each HEATMAP input's bounds, over every matching event whatever the pass.
  const heatmapInputs = inputs.flatMap((_, i) => (plan.calcs.some((calc, k) => calc.op === 'HEATMAP' && inputOf[k] === i) ? [i] : []));
  for (const i of heatmapInputs) ctes.push(`${id(`h${i}r`)} AS (SELECT min(${a(i)}) AS ${id('lo')}, max(${a(i)}) AS ${id('hi')} FROM ${id('ev')})`);

  /**
   * One pass: the aggregates of `from` (CTE names prefixed with `p`) joined into `<p>final`,
   * one row per group and (series) time bucket: keys, `__rows`, `c0`, `c1`...
   */
  const aggregate = (p: string, from: string, pass: Pass): string => {
    const pid = (n: string) => id(`${p}${n}`);
    /** GROUP BY of this pass; `extra` in every set. */
    const sets = (extra: string[] = []) => {
      const total = [...groupKeys, ...extra];
      if (pass === 'series') return ` GROUP BY ${[...total, t].join(', ')}`;
      if (pass === 'totals' || !options.series) return total.length ? ` GROUP BY ${total.join(', ')}` : '';
      return ` GROUP BY GROUPING SETS ((${total.join(', ')}), (${[...total, t].join(', ')}))`;
    };
    const tOut = pass !== 'totals' && options.series ? t : `${c.nullOf('integer')} AS ${t}`;
    const withSeries = pass !== 'totals' && options.series;

    // Aggregates that combine (sums, minimums, maximums) need not read the events twice for
    // the two grouping sets: the series rows are aggregated once, and the totals from them.
    const combines = pass === 'both' && options.series;
    /**
     * `<pid(name)>`: `cols` per group (and time bucket) of `from` where `where`, each an
     * aggregate with `combine`, the function that makes totals from series rows (null: it
     * cannot); `value(refs)` the answer's columns from the aggregates (refs in cols' order).
     */
    const grouped = (name: string, from: string, where: string, extra: string[], cols: { agg: string; combine: string | null }[], value: (refs: string[]) => string[]) => {
      const by = [...groupKeys, ...extra];
      if (!combines || cols.some((col) => col.combine === null)) {
        ctes.push(`${pid(name)} AS (SELECT ${[...by, tOut, ...value(cols.map((col) => col.agg))].join(', ')} FROM ${from}${where}${sets(extra)})`);
        return;
      }
      const refs = cols.map((_, j) => id(`p${j}`));
      ctes.push(`${pid(`${name}s`)} AS (SELECT ${[...by, t, ...cols.map((col, j) => `${col.agg} AS ${refs[j]}`)].join(', ')} FROM ${from}${where} GROUP BY ${[...by, t].join(', ')})`);
      const totals = `SELECT ${[...by, `${c.nullOf('integer')} AS ${t}`, ...value(cols.map((col, j) => `${col.combine}(${refs[j]})`))].join(', ')} FROM ${pid(`${name}s`)}${by.length ? ` GROUP BY ${by.join(', ')}` : ''}`;
      ctes.push(`${pid(name)} AS (SELECT ${[...by, t, ...value(refs)].join(', ')} FROM ${pid(`${name}s`)} UNION ALL ${totals})`);
    };

    // main: everything a plain aggregate computes.
    const mainAggs: { agg: string; combine: string | null }[] = [{ agg: 'count(*)', combine: 'sum' }];
    const mainValues: ((refs: string[]) => string)[] = [(r) => `${r[0]} AS ${id('__rows')}`];
    const add = (out: string, aggs: { agg: string; combine: string | null }[], value: (r: string[]) => string) => {
      const from = mainAggs.length;
      mainAggs.push(...aggs);
      mainValues.push((r) => `${value(r.slice(from, from + aggs.length))} AS ${out}`);
    };
    if (quantiles && !options.weighted) add(id('__w'), [{ agg: `max(${w})`, combine: 'max' }], (r) => r[0]);
    const partOf = new Map<number, string>();
    plan.calcs.forEach((calc, k) => {
      const out = id(`c${k}`);
      const x = inputOf[k] >= 0 ? a(inputOf[k]) : '';
      switch (calc.op) {
        case 'COUNT': return add(out, [{ agg: `sum(${w})`, combine: 'sum' }], (r) => r[0]);
        // Weighted sums in floating point (as Honeycomb's): no integer overflow, exact to 2^53.
        case 'SUM': case 'RATE_SUM': return add(out, [{ agg: `sum(${x} * ${c.cast(w, 'float')})`, combine: 'sum' }], (r) => r[0]);
        case 'AVG': case 'RATE_AVG':
          return add(out, [{ agg: `sum(${x} * ${c.cast(w, 'float')})`, combine: 'sum' }, { agg: `sum(CASE WHEN ${x} IS NOT NULL THEN ${w} END)`, combine: 'sum' }], (r) => `${r[0]} / ${c.cast(r[1], 'float')}`);
        case 'MIN': return add(out, [{ agg: `min(${x})`, combine: 'min' }], (r) => r[0]);
        case 'MAX': case 'RATE_MAX': return add(out, [{ agg: `max(${x})`, combine: 'max' }], (r) => r[0]);
        case 'COUNT_DISTINCT': return add(out, [{ agg: c.countDistinct(x), combine: null }], (r) => r[0]);
        case 'CONCURRENCY': {
          // Totals: span time inside the window over the window's length. Series use cc.
          const end = `LEAST(${id('s')} + ${c.cast(`${id('d')} * 1000`, 'integer')}, ${c.int(plan.window.endUs)})`;
          if (withSeries) partOf.set(k, 'cc');
          return add(out, [{ agg: `sum(CASE WHEN ${id('d')} >= 0 THEN ${w} * (${end} - ${id('s')}) END)`, combine: 'sum' }], (r) => `${r[0]} / ${c.cast(c.int(plan.window.endUs - plan.window.startUs), 'float')}`);
        }
        default:
          if (calc.quantile !== undefined && !options.weighted) add(out, [{ agg: c.percentile(x, calc.quantile), combine: null }], (r) => r[0]);
      }
    });
    grouped('main', from, '', [], mainAggs, (r) => mainValues.map((v) => v(r)));
    const parts: string[] = [];

    // qN: weighted percentiles from a log-bucketed histogram of each input: bucket k holds
    // values within a factor GAMMA, so any value of the bucket is within the accuracy.
    inputs.forEach((_, i) => {
      const ks = plan.calcs.flatMap((calc, k) => (calc.quantile !== undefined && inputOf[k] === i && options.weighted ? [k] : []));
      if (ks.length === 0) return;
      const x = a(i);
      const [b, cu, q] = [pid(`q${i}b`), pid(`q${i}c`), pid(`q${i}`)];
      const lnGamma = c.param(Math.log(GAMMA), 'float');
      const bucketCols = [`sign(${x}) AS ${id('sg')}`, `CASE WHEN ${x} = 0 THEN 0 ELSE ${c.cast(`ceil(ln(abs(${x})) / ${lnGamma})`, 'int32')} END AS ${id('k')}`];
      ctes.push(`${b} AS (SELECT ${[...groupKeys, tOut, ...bucketCols, `sum(${w}) AS ${id('n')}`, `min(${x}) AS ${id('lo')}`, `max(${x}) AS ${id('hi')}`].join(', ')} FROM ${from} WHERE ${x} IS NOT NULL${sets([id('sg'), id('k')])})`);
      const partition = `PARTITION BY ${keys.join(', ')}`;
      ctes.push(`${cu} AS (SELECT *, sum(${id('n')}) OVER (${partition} ORDER BY ${id('sg')}, ${id('sg')} * ${id('k')} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS ${id('cum')}, sum(${id('n')}) OVER (${partition}) AS ${id('tot')} FROM ${b})`);
      const gamma = c.param(GAMMA, 'float');
      const rep = `GREATEST(${id('lo')}, LEAST(${id('hi')}, ${id('sg')} * 2 * pow(${gamma}, ${id('k')}) / (${gamma} + 1)))`;
      // Buckets are in value order, so the first to reach the rank holds the smallest answer.
      const vals = ks.map((k) => `min(CASE WHEN ${id('cum')} >= ${c.param(plan.calcs[k].quantile!, 'float')} * ${id('tot')} THEN ${rep} END) AS ${id(`c${k}`)}`);
      ctes.push(`${q} AS (SELECT ${[...keys, ...vals].join(', ')} FROM ${cu} GROUP BY ${keys.join(', ')})`);
      parts.push(`${p}q${i}`);
      ks.forEach((k) => partOf.set(k, `${p}q${i}`));
    });

    // hN: heatmaps, bucketed between the bounds in hNr. Each row's bucket is counted once per
    // set; the bounds join the few bucket rows, not every event.
    for (const i of heatmapInputs) {
      const ks = plan.calcs.flatMap((calc, k) => (calc.op === 'HEATMAP' && inputOf[k] === i ? [k] : []));
      const x = a(i);
      const [r, b, h] = [id(`h${i}r`), pid(`h${i}b`), pid(`h${i}`)];
      const n = c.int(HEATMAP_BUCKETS);
      const idx = `CASE WHEN ${id('hi')} = ${id('lo')} THEN 0 ELSE LEAST(${n} - 1, ${c.cast(`FLOOR((${x} - ${id('lo')}) / ${c.cast(`${id('hi')} - ${id('lo')}`, 'float')} * ${n})`, 'int32')}) END`;
      const bucketed = `(SELECT *, ${idx} AS ${id('i')} FROM ${from} CROSS JOIN ${r} WHERE ${x} IS NOT NULL) ${id('hv')}`;
      grouped(`h${i}b`, bucketed, '', [id('i')], [{ agg: `sum(${w})`, combine: 'sum' }], (refs) => [`${refs[0]} AS ${id('n')}`]);
      const value = `${c.collectPairs(id('i'), id('n'))} || '|' || ${c.cast(`min(${id('lo')})`, 'string')} || '|' || ${c.cast(`min(${id('hi')})`, 'string')}`;
      ctes.push(`${h} AS (SELECT ${[...keys, ...ks.map((k) => `${value} AS ${id(`c${k}`)}`)].join(', ')} FROM ${b} CROSS JOIN ${r} GROUP BY ${keys.join(', ')})`);
      parts.push(`${p}h${i}`);
      ks.forEach((k) => partOf.set(k, `${p}h${i}`));
    }

    // cc: concurrency per time bucket, each span counted for the share of the bucket it covers.
    const ccCalcs = [...partOf].filter(([, part]) => part === 'cc').map(([k]) => k);
    const cc = pid('cc');
    if (ccCalcs.length) {
      const g = c.int(plan.granularity * 1e6);
      const spans = `SELECT ${[...groupKeys, w, id('s'), `LEAST(${id('s')} + ${c.cast(`${id('d')} * 1000`, 'integer')}, ${c.int(plan.window.endUs)}) AS ${id('e')}`].join(', ')} FROM ${from} WHERE ${id('d')} >= 0`;
      const covered = `SELECT ${[...groupKeys, w, id('s'), id('e'), `${c.bucketStarts(id('s'), id('e'), plan.granularity * 1e6)} AS ${t}`].join(', ')} FROM (${spans}) ${id('sp')}`;
      const overlap = `sum(${w} * (LEAST(${id('e')}, ${t} + ${g}) - GREATEST(${id('s')}, ${t}))) / ${c.cast(g, 'float')}`;
      ctes.push(`${cc} AS (SELECT ${[...keys, ...ccCalcs.map((k) => `${overlap} AS ${id(`c${k}`)}`)].join(', ')} FROM (${covered}) ${id('cv')} GROUP BY ${keys.join(', ')})`);
      parts.push(`${p}cc`);
    }

    // final: the parts joined on the keys (null-safe: a missing breakdown value is a group).
    // Spans cover buckets after the one they start in, where no event may start: cc joins in full.
    const m = pid('main');
    const keyCol = (k: string) => (ccCalcs.length ? `COALESCE(${m}.${k}, ${cc}.${k}) AS ${k}` : `${m}.${k}`);
    const calcCol = (k: number) => {
      const part = partOf.get(k);
      const out = id(`c${k}`);
      if (part === 'cc') return `CASE WHEN ${m}.${t} IS NULL AND ${m}.${id('__rows')} IS NOT NULL THEN ${m}.${out} ELSE ${cc}.${out} END AS ${out}`;
      if (part) return `${id(part)}.${out} AS ${out}`;
      return plan.calcs[k].op === 'HEATMAP' ? `${c.nullOf('string')} AS ${out}` : `${m}.${out}`;
    };
    let joined = m;
    for (const part of parts) {
      const on = keys.map((k) => c.sameValue(`${m}.${k}`, `${id(part)}.${k}`)).join(' AND ');
      joined += ` ${part === `${p}cc` ? 'FULL OUTER' : 'LEFT'} JOIN ${id(part)} ON ${on}`;
    }
    const finalCols = [...keys.map(keyCol), `${m}.${id('__rows')}`, ...(quantiles && !options.weighted ? [`${m}.${id('__w')}`] : []), ...plan.calcs.map((_, k) => calcCol(k))];
    ctes.push(`${pid('final')} AS (SELECT ${finalCols.join(', ')} FROM ${joined})`);
    return pid('final');
  };

  const final = aggregate('', id('ev'), cutFirst ? 'totals' : 'both');

  // top: the totals that pass the havings, the first `limit` in the query's order (ties: group
  // keys), numbered. Only totals are ranked; every row then takes its group's number by a join.
  const having = plan.havings.map((h) => `${id(`c${h.calc}`)} ${HAVING_SQL[h.op]} ${c.param(h.value, 'float')}`);
  const order = plan.orders.map((o) => `${id(o.calc !== undefined ? `c${o.calc}` : `g${o.group}`)} ${o.descending ? 'DESC' : 'ASC'} NULLS LAST`);
  groupKeys.forEach((g) => order.push(`${g} ASC NULLS LAST`));
  const kept = [`${t} IS NULL`, ...having].join(' AND ');
  const orderBy = order.length ? ` ORDER BY ${order.join(', ')}` : '';
  const top = id('top');
  ctes.push(`${top} AS (SELECT ${[...groupKeys, `row_number() OVER (${orderBy.trim()}) AS ${id('__rank')}`].join(', ')} FROM (SELECT * FROM ${final} WHERE ${kept}${orderBy} LIMIT ${c.int(plan.limit)}) ${id('kept')})`);
  const seriesGroups = seriesGroupLimit(plan);
  // Groups past the series limit have totals only (a parameter only where the SQL uses it).
  const charted = () => `${top}.${id('__rank')} <= ${c.int(seriesGroups)}`;
  const onTop = (rel: string) => (groupKeys.length ? ` JOIN ${top} ON ${groupKeys.map((g) => c.sameValue(`${rel}.${g}`, `${top}.${g}`)).join(' AND ')}` : ` CROSS JOIN ${top}`);
  // Every row carries the query's figures: events read, and groups that passed the havings.
  const figures = [
    `(SELECT sum(${id('__rows')}) FROM ${final} WHERE ${t} IS NULL) AS ${id('__total_rows')}`,
    `(SELECT count(*) FROM ${final} WHERE ${kept}) AS ${id('__groups')}`,
    ...(quantiles && !options.weighted ? [`(SELECT max(${id('__w')}) FROM ${final} WHERE ${t} IS NULL) AS ${id('__max_w')}`] : []),
  ];
  const rows = (rel: string) => `SELECT ${rel}.*, ${top}.${id('__rank')}, ${figures.join(', ')} FROM ${rel}${onTop(rel)}`;
  const ordered = ` ORDER BY ${id('__rank')}, ${t} NULLS FIRST`;
  if (!cutFirst) {
    const where = options.series && seriesGroups < plan.limit ? ` WHERE ${final}.${t} IS NULL OR ${charted()}` : '';
    return `WITH ${ctes.join(',\n')}\n${rows(final)}${where}${ordered}`;
  }
  // Series of the charted groups only: their events, aggregated per time bucket.
  const evs = id('evs');
  ctes.push(`${evs} AS (SELECT * FROM ${id('ev')} WHERE EXISTS (SELECT 1 FROM ${top} WHERE ${charted()} AND ${groupKeys.map((g) => c.sameValue(`${id('ev')}.${g}`, `${top}.${g}`)).join(' AND ')}))`);
  const sfinal = aggregate('s_', evs, 'series');
  return `WITH ${ctes.join(',\n')}\n${rows(final)}\nUNION ALL ${rows(sfinal)}${ordered}`;
}
