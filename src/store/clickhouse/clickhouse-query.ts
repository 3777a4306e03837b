// The aggregate statement on ClickHouse. query/compile.ts builds one statement of common table
// expressions, window functions and GROUPING SETS, none of which ClickHouse 18.16 has (measured:
// each is a syntax error there), so this engine answers the same rows from nested subqueries.
//
// Every calculation but CONCURRENCY is answered from one read of the events (oneScan below):
// one GROUP BY of groups and time buckets, whose rows are folded per group into its totals and
// its series, and the groups folded into the figures. With CONCURRENCY the former statement
// stays, which reads the events at each mention (no common table expressions):
//
//   ev      the events of the window that pass the filters: group keys, time bucket, inputs
//           (and the bounds of each HEATMAP input, joined on)
//   T       totals per group: HAVING, the query's order, LIMIT; numbered in order (__rank)
//   S       the same aggregates per group and time bucket, for the groups of T charted (found
//           by ranking again with only the calculations that order and filter)
//   figures events read (__total_rows) and groups past the havings (__groups): from the totals
//           row with one group, else from scalar subqueries (one without havings)
//
// Percentiles are quantileExactWeighted, ClickHouse's exact weighted nearest rank (the smallest
// value whose cumulative sample rate reaches q of the total), so they are exact with or without
// sample rates; a heatmap is a sumMap of weights per bucket index between the bounds of every
// matching event; CONCURRENCY spreads each span over the buckets it overlaps (arrayJoin) in a
// third subquery joined to S.
// Rows read alike from the default statement: g0.., t (NULL on totals), __rows, c0.., __rank.
import type { CompileOptions, QueryPlan } from '../../query/index.js';
import type { StatementParts } from '../sql-compiler.js';
import type { ClickHouseCompiler } from './clickhouse-compiler.js';

const HAVING_SQL = { '=': '=', '!=': '!=', '>': '>', '>=': '>=', '<': '<', '<=': '<=' } as const;

export function clickHouseQuery(c: ClickHouseCompiler, plan: QueryPlan, source: string, options: CompileOptions, parts: StatementParts): string {
  const id = (n: string) => c.ident(n);
  // Inner names start with __, which no user column may: ClickHouse aliases shadow columns.
  const g = plan.groups.map((_, i) => id(`__g${i}`));
  const a = (i: number) => id(`__a${i}`);
  const [t, w, s, d] = ['__t', '__w', '__s', '__d'].map(id);
  const gk = id('__gk');
  const rank = id('__rank');
  const rows = id('__rows');
  const calc = (k: number) => id(`__c${k}`);

  const inputs: string[] = [];
  const inputOf = plan.calcs.map((calc) => {
    if (!calc.input) return -1;
    const sql = c.expr(calc.input);
    if (!inputs.includes(sql)) inputs.push(sql);
    return inputs.indexOf(sql);
  });
  const span = plan.calcs.some((x) => x.op === 'CONCURRENCY');
  const keyCols = [...plan.groups.map((grp, i) => `${grp.expr.type === 'null' ? c.nullOf('string') : c.expr(grp.expr)} AS ${g[i]}`), `${c.timeBucket(plan.granularity * 1e6)} AS ${t}`];
  const evCols = [...keyCols];
  inputs.forEach((sql, i) => evCols.push(`${sql} AS ${a(i)}`));
  evCols.push(`${c.weightColumn} AS ${w}`);
  if (span) evCols.push(`${c.timeColumn} AS ${s}`, `${plan.duration.type === 'integer' || plan.duration.type === 'float' ? c.expr(plan.duration) : c.nullOf('float')} AS ${d}`);
  const where = `${source} WHERE ${parts.where()}`;
  const events = `(SELECT ${evCols.join(', ')} FROM ${where})`;

  const endUs = `toInt64(${c.int(plan.window.endUs)})`;
  const spanEnd = `least(${s} + ${c.cast(`${d} * 1000`, 'integer')}, ${endUs})`;
  // HEATMAP bounds over every matching event, whatever the group or bucket: joined to each
  // event once (scalar subqueries would read the events again at every mention).
  const bounded = [...new Set(plan.calcs.flatMap((x, k) => (x.op === 'HEATMAP' ? [inputOf[k]] : [])))];
  const lo = (i: number) => id(`__lo${i}`);
  const hi = (i: number) => id(`__hi${i}`);
  const ev = bounded.length
    ? `(SELECT * FROM ${events} CROSS JOIN (SELECT ${bounded.map((i) => `min(${a(i)}) AS ${lo(i)}, max(${a(i)}) AS ${hi(i)}`).join(', ')} FROM ${events}))`
    : events;
  /** The aggregate of calculation k over the rows of one group (and bucket). */
  const aggregate = (k: number, x = a(inputOf[k]), weightOf = w): string => {
    const present = `countIf(isNotNull(${x}))`;
    switch (plan.calcs[k].op) {
      case 'COUNT': return `sum(${weightOf})`;
      case 'SUM': case 'RATE_SUM': return `sum(${x} * toFloat64(${weightOf}))`;
      case 'AVG': case 'RATE_AVG': return `if(${present} = 0, NULL, sum(${x} * toFloat64(${weightOf})) / toFloat64(sumIf(${weightOf}, isNotNull(${x}))))`;
      case 'MIN': return `min(${x})`;
      case 'MAX': case 'RATE_MAX': return `max(${x})`;
      case 'COUNT_DISTINCT': return `uniqExact(${x})`;
      case 'CONCURRENCY': return `sumIf(${weightOf} * (${spanEnd} - ${s}), ${d} >= 0) / ${c.cast(c.int(plan.window.endUs - plan.window.startUs), 'float')}`;
      case 'HEATMAP': return heatmapText(heatmapWeights(k), present, `any(${lo(inputOf[k])})`, `any(${hi(inputOf[k])})`);
    }
    return `quantileExactWeighted(${plan.calcs[k].quantile})(${x}, toUInt64(${weightOf}))`;
  };
  /** A heatmap's weights per bucket index between the bounds, as sumMap's (indexes, weights). */
  function heatmapWeights(k: number): string {
    const [x, l, h] = [a(inputOf[k]), lo(inputOf[k]), hi(inputOf[k])];
    const n = parts.heatmapBuckets;
    // Bucket 0 when the bounds are equal (or there are none): 18.16's if() trips on NULL bounds.
    const idx = `least(${n - 1}, toInt32(floor(ifNull((${x} - ${l}) / nullIf(toFloat64(${h} - ${l}), 0), 0) * ${n})))`;
    // Rows whose value is NULL are left out by the If.
    return `sumMapIf([${idx}], [${w}], isNotNull(${x}))`;
  }
  /** A heatmap as results.ts reads it: `index:weight,...|low|high`, NULL without values. */
  function heatmapText(weights: string, present: string, low: string, high: string): string {
    const pairs = `arrayStringConcat(arrayMap((i, v) -> concat(toString(i), ':', toString(v)), tupleElement(${weights}, 1), tupleElement(${weights}, 2)), ',')`;
    return `if(${present} = 0, NULL, concat(${pairs}, '|', toString(${low}), '|', toString(${high})))`;
  }
  const aggs = plan.calcs.map((_, k) => `${aggregate(k)} AS ${calc(k)}`);
  // A group's identity as one non-null text, for joins: ClickHouse joins never match NULL keys.
  const keyText = g.length ? `arrayStringConcat([${g.map((x) => `ifNull(concat('v', toString(length(toString(${x}))), ':', toString(${x})), 'n')`).join(', ')}], '')` : `''`;
  const groupBy = (extra: string[] = []) => ([...g, ...extra].length ? ` GROUP BY ${[...g, ...extra].join(', ')}` : '');
  const having = plan.havings.length ? ` HAVING ${plan.havings.map((h) => `${calc(h.calc)} ${HAVING_SQL[h.op]} ${c.param(h.value, 'float')}`).join(' AND ')}` : '';
  const order = plan.orders.map((o) => `${o.calc !== undefined ? calc(o.calc) : g[o.group!]} ${o.descending ? 'DESC' : 'ASC'} NULLS LAST`);
  g.forEach((x) => order.push(`${x} ASC NULLS LAST`));
  const folded = withTotals() ?? oneScan();
  if (folded) return folded;

  /** Totals per group with the aggregates of calculations `ks` only, past the havings. */
  const totalsOf = (ks: number[]) => `SELECT ${[...g, ...ks.map((k) => aggs[k]), `count() AS ${rows}`, `${keyText} AS ${gk}`].join(', ')} FROM ${ev}${groupBy()}${having}`;
  /** Those totals in the query's order, the first `limit`, numbered. */
  const rankedOf = (ks: number[]) => {
    const kept = `(${totalsOf(ks)}${order.length ? ` ORDER BY ${order.join(', ')}` : ''} LIMIT ${Math.trunc(plan.limit)})`; // LIMIT takes a number, not an expression: the plan's checked limit
    return `(SELECT *, rowNumberInAllBlocks() + 1 AS ${rank} FROM ${kept})`;
  };
  // Ranking and counting groups need only the calculations that order and filter them: the
  // costly ones (percentiles, heatmaps) are computed once for the totals and once for the series.
  const all = plan.calcs.map((_, k) => k);
  const deciding = all.filter((k) => plan.havings.some((h) => h.calc === k) || plan.orders.some((o) => o.calc === k));
  // Without breakdowns or havings there is one group, always kept: it needs no ranking, and its
  // series no join (two reads of the events fewer).
  const single = g.length === 0 && plan.havings.length === 0;
  const first = `toUInt64(1) AS ${rank}`;
  const ranked = single ? `(SELECT *, ${first} FROM (${totalsOf(all)}))` : rankedOf(all);
  const out = (tSql: string) => [...g, `${c.cast(tSql, 'integer')} AS ${t}`, ...plan.calcs.map((_, k) => calc(k)), rows, rank];
  const branches = [`SELECT ${out('NULL').join(', ')} FROM ${ranked}`];

  if (options.series) {
    const charted = `(SELECT ${gk}, ${rank} FROM ${rankedOf(deciding)} WHERE ${rank} <= ${c.int(parts.seriesGroups)})`;
    const concurrency = plan.calcs.flatMap((x, k) => (x.op === 'CONCURRENCY' ? [k] : []));
    const seriesAggs = plan.calcs.map((x, k) => (x.op === 'CONCURRENCY' ? `${c.nullOf('float')} AS ${calc(k)}` : `${aggregate(k)} AS ${calc(k)}`));
    let series = `(SELECT ${[...g, t, ...seriesAggs, `count() AS ${rows}`, `${keyText} AS ${gk}`].join(', ')} FROM ${ev}${groupBy([t])})`;
    if (concurrency.length) series = withConcurrency(c, plan, ev, series, concurrency, g, keyText);
    branches.push(single ? `SELECT ${out(t).join(', ')} FROM (SELECT *, ${first} FROM ${series})` : `SELECT ${out(t).join(', ')} FROM ${series} ALL INNER JOIN ${charted} USING ${gk}`);
  }
  // The figures are read from the first row (the totals'), and each subquery for them reads the
  // events again, so as few as the query allows: none for one group (its count is the events
  // read), one for groups without havings (the groups and the sum of their counts), two with.
  // They are joined as one row: as scalar subqueries of the outer SELECT, 18.16 took as long
  // again as reading them alone (measured on 100,000 events: 30.5 against 18.7 ms in all).
  const [totalRows, groups] = [id('__total_rows'), id('__groups')];
  const rowsRead = `(${branches.join(' UNION ALL ')})`;
  const fig = id('__figures');
  const havingCalcs = plan.calcs.flatMap((_, k) => (plan.havings.some((h) => h.calc === k) ? [k] : []));
  const figures = single
    ? { select: [`${rows} AS ${totalRows}`, `toUInt64(1) AS ${groups}`], join: '' }
    : plan.havings.length === 0
      ? { select: [`tupleElement(${fig}, 2) AS ${totalRows}`, `tupleElement(${fig}, 1) AS ${groups}`], join: ` CROSS JOIN (SELECT tuple(count(), sum(${rows})) AS ${fig} FROM (${totalsOf([])}))` }
      : { select: [totalRows, groups], join: ` CROSS JOIN (SELECT (SELECT count() FROM ${events}) AS ${totalRows}, (SELECT count() FROM (${totalsOf(havingCalcs)})) AS ${groups})` };
  const final = [...g.map((x, i) => `${x} AS ${id(`g${i}`)}`), `${t} AS ${id('t')}`, ...plan.calcs.map((_, k) => `${calc(k)} AS ${id(`c${k}`)}`), rows, rank, ...figures.select];
  return `SELECT ${final.join(', ')} FROM ${rowsRead}${figures.join} ORDER BY ${rank}, ${t} NULLS FIRST`;

  /**
   * Without breakdowns or havings, and without CONCURRENCY: one level of aggregation over the
   * events, its totals row from ClickHouse's WITH TOTALS (the aggregates over every bucket's
   * rows, merged as the -Merge combinators do: the same answers), which the reader adds as the
   * last row; its bucket key, Nullable, is NULL there. The answer's names are given over the
   * events subquery, whose columns all start with __, so no user column is shadowed by them.
   */
  function withTotals(): string | undefined {
    if (span || g.length > 0 || plan.havings.length > 0) return undefined;
    const cols = [...plan.calcs.map((_, k) => `${aggregate(k)} AS ${id(`c${k}`)}`), `count() AS ${rows}`, `toUInt64(1) AS ${rank}`, `toUInt64(1) AS ${id('__groups')}`, `${rows} AS ${id('__total_rows')}`];
    const time = id('t');
    if (!options.series) return `SELECT ${c.nullOf('integer')} AS ${time}, ${cols.join(', ')} FROM ${ev}`;
    return `SELECT ${c.cast(t, 'integer')} AS ${time}, ${cols.join(', ')} FROM ${ev} GROUP BY ${time} WITH TOTALS ORDER BY ${time}`;
  }

  /**
   * The same rows and figures from one read of the events (two with a heatmap: its bounds),
   * for every calculation but CONCURRENCY. One GROUP BY of groups and buckets keeps what each
   * calculation's totals are made from (sums; quantileExactWeighted's and uniqExact's states,
   * whose -Merge answers exactly what the aggregate over the group's events does; a heatmap's
   * weights per bucket index), folded per group into an array beside the group's totals; the
   * groups are folded again into one array beside the figures (groups past the havings, events
   * read), unfolded in the query's order and cut, and each group's buckets unfolded after its
   * totals (only the charted groups keep theirs).
   * Every level of nesting costs 18.16 about a millisecond or more whatever its rows (measured:
   * 4.5 ms for the GROUP BY alone, 9-10 ms with five levels above it), so the levels are few: the
   * events are read by the GROUP BY itself (on a cluster, each shard then aggregates its share),
   * and the last levels unfold with arrayJoin beside what they compute.
   */
  function oneScan(): string | undefined {
    if (span) return undefined;
    const b = (k: number) => id(`__b${k}`);
    const [num, den, has, st] = [(k: number) => id(`__n${k}`), (k: number) => id(`__d${k}`), (k: number) => id(`__p${k}`), (k: number) => id(`__st${k}`)];
    const [bl, bh] = [(k: number) => id(`__bl${k}`), (k: number) => id(`__bh${k}`)];
    const r = id('__r');
    // A heatmap's bounds are joined to the events, which must then be a subquery (a cluster's
    // Distributed table cannot be joined to a subquery reading it); otherwise the GROUP BY reads
    // the table itself, its inputs written in place.
    const inPlace = bounded.length === 0;
    const input = (k: number) => (inPlace ? `(${inputs[inputOf[k]]})` : a(inputOf[k]));
    const wt = inPlace ? c.weightColumn : w;
    const bucketCols: string[] = [];
    const totalOf: string[] = [];
    plan.calcs.forEach((x, k) => {
      const v = input(k);
      const present = `countIf(isNotNull(${v})) AS ${has(k)}`;
      const none = (count: string, value: string) => `if(${count} = 0, NULL, ${value})`;
      const fold = FROM_BUCKETS.get(x.op) ?? x.op;
      if (fold === 'AVG') {
        bucketCols.push(`sum(${v} * toFloat64(${wt})) AS ${num(k)}`, `sumIf(${wt}, isNotNull(${v})) AS ${den(k)}`, present);
        bucketCols.push(`${none(has(k), `${num(k)} / toFloat64(${den(k)})`)} AS ${b(k)}`);
        totalOf.push(`${none(`sum(${has(k)})`, `sum(${num(k)}) / toFloat64(sum(${den(k)}))`)}`);
      } else if (fold === 'COUNT' || fold === 'SUM' || fold === 'MIN' || fold === 'MAX') {
        bucketCols.push(`${aggregate(k, v, wt)} AS ${b(k)}`);
        totalOf.push(`${fold === 'MIN' ? 'min' : fold === 'MAX' ? 'max' : 'sum'}(${b(k)})`);
      } else if (fold === 'COUNT_DISTINCT') {
        bucketCols.push(`uniqExactState(${v}) AS ${st(k)}`, `finalizeAggregation(${st(k)}) AS ${b(k)}`);
        totalOf.push(`uniqExactMerge(${st(k)})`);
      } else if (fold === 'HEATMAP') {
        const [l, h] = [lo(inputOf[k]), hi(inputOf[k])];
        bucketCols.push(`${heatmapWeights(k)} AS ${st(k)}`, present, `any(${l}) AS ${bl(k)}`, `any(${h}) AS ${bh(k)}`);
        bucketCols.push(`${heatmapText(st(k), has(k), bl(k), bh(k))} AS ${b(k)}`);
        totalOf.push(`${heatmapText(`sumMap(tupleElement(${st(k)}, 1), tupleElement(${st(k)}, 2))`, `sum(${has(k)})`, `any(${bl(k)})`, `any(${bh(k)})`)}`);
      } else {
        // finalizeAggregation answers nan, not NULL, for a state of no values.
        const q = x.quantile!;
        bucketCols.push(`quantileExactWeightedState(${q})(${v}, toUInt64(${wt})) AS ${st(k)}`, present, `${none(has(k), `finalizeAggregation(${st(k)})`)} AS ${b(k)}`);
        totalOf.push(`${none(`sum(${has(k)})`, `quantileExactWeightedMerge(${q})(${st(k)})`)}`);
      }
    });
    const bounds = `(SELECT ${bounded.map((i) => `min(${a(i)}) AS ${lo(i)}, max(${a(i)}) AS ${hi(i)}`).join(', ')} FROM ${events})`;
    const read = inPlace ? where : `${events} CROSS JOIN ${bounds}`;
    const buckets = `(SELECT ${[...(inPlace ? keyCols : [...g, t]), ...bucketCols, `count() AS ${r}`].join(', ')} FROM ${read}${groupBy([t])})`;
    const point = (time: string, values: string[], count: string) => `tuple(${[time, ...values, count].join(', ')})`;
    /** Each group's totals, count and buckets, named by `as` (of g0.., c0.., n, pts). */
    const perGroup = (as: (name: string) => string) => [
      ...g.map((x, i) => `${x} AS ${as(`g${i}`)}`), ...totalOf.map((sql, k) => `${sql} AS ${as(`c${k}`)}`), `sum(${r}) AS ${as('n')}`,
      `groupArray(${point(c.cast(t, 'integer'), plan.calcs.map((_, k) => b(k)), r)}) AS ${as('pts')}`,
    ];
    const named = (name: string) => id(`__${name}`);
    const [rank, p, n, points] = [id('__rank'), id('__point'), named('n'), named('pts')];
    /**
     * The rows of the answer from the groups in order (`from`, with the columns `computed` there
     * and the clause `tail`), numbered by `rankSql`: each group's totals, then its buckets.
     */
    const unfold = (from: string, computed: string[], tail: string, rankSql: string, figures: string[]) => {
      // Sliced, not replaced by [], whose element type would not match.
      const charted = `arraySlice(${points}, 1, ${options.series ? `if(${rank} <= ${c.int(parts.seriesGroups)}, length(${points}), 0)` : '0'})`;
      const totalsPoint = point(c.nullOf('integer'), plan.calcs.map((_, k) => calc(k)), n);
      const cols = [
        ...computed, ...g.map((x, i) => `${x} AS ${id(`g${i}`)}`), `${rankSql} AS ${rank}`, ...figures,
        `arrayJoin(arrayConcat([${totalsPoint}], ${charted})) AS ${p}`,
        `tupleElement(${p}, 1) AS ${id('t')}`, ...plan.calcs.map((_, k) => `tupleElement(${p}, ${k + 2}) AS ${id(`c${k}`)}`), `tupleElement(${p}, ${plan.calcs.length + 2}) AS ${rows}`,
      ];
      return `SELECT ${cols.join(', ')} FROM ${from}${tail} ORDER BY ${rank}, ${id('t')} NULLS FIRST`;
    };
    const [totalRows, groups, one] = [id('__total_rows'), id('__groups'), id('__one')];
    // Without breakdowns the one group is its totals row: no ranking, and its count is the events read.
    if (g.length === 0) return unfold(buckets, perGroup(named), having, 'toUInt64(1)', [`toUInt64(1) AS ${groups}`, `${n} AS ${totalRows}`]);
    // Every group's events count among those read; only the groups past the havings are kept.
    // Folded under other names: an alias naming a column of its own expression would be circular.
    const folded = (name: string) => id(`__f${name}`);
    const kept = plan.havings.map((h) => `${folded(`c${h.calc}`)} ${HAVING_SQL[h.op]} ${c.param(h.value, 'float')}`).join(' AND ');
    const names = [...g.map((_, i) => `g${i}`), ...plan.calcs.map((_, k) => `c${k}`), 'n', 'pts'];
    const group = `tuple(${names.map(folded).join(', ')})`;
    const keptGroups = kept ? [`arrayJoin(groupArrayIf(${group}, ifNull(${kept}, 0))) AS ${one}`, `countIf(ifNull(${kept}, 0)) AS ${groups}`] : [`arrayJoin(groupArray(${group})) AS ${one}`, `count() AS ${groups}`];
    const unfolded = names.map((name, i) => `tupleElement(${one}, ${i + 1}) AS ${named(name)}`);
    const ordered = `(SELECT ${[...keptGroups, `sum(${folded('n')}) AS ${totalRows}`, ...unfolded].join(', ')} FROM (SELECT ${perGroup(folded).join(', ')} FROM ${buckets}${groupBy()})${order.length ? ` ORDER BY ${order.join(', ')}` : ''} LIMIT ${Math.trunc(plan.limit)})`;
    return unfold(ordered, [], '', 'rowNumberInAllBlocks() + 1', [groups, totalRows]);
  }
}

/** Calculations whose totals are made from their buckets, and how (the RATE_ ones alike). */
const FROM_BUCKETS = new Map<string, 'COUNT' | 'SUM' | 'AVG' | 'MIN' | 'MAX'>([
  ['COUNT', 'COUNT'], ['SUM', 'SUM'], ['RATE_SUM', 'SUM'], ['AVG', 'AVG'], ['RATE_AVG', 'AVG'], ['MIN', 'MIN'], ['MAX', 'MAX'], ['RATE_MAX', 'MAX'],
]);

/**
 * The series with CONCURRENCY: each span counted in every bucket it overlaps, for the share it
 * covers. Spans reach buckets where no event starts, so the events' series and the spans' are
 * joined in full on group and bucket. Unmatched rows of a ClickHouse join take default values,
 * not NULLs, so `__l` tells a row with events from one with spans only.
 */
function withConcurrency(c: ClickHouseCompiler, plan: QueryPlan, ev: string, series: string, ks: number[], g: string[], keyText: string): string {
  const id = (n: string) => c.ident(n);
  const [t, w, s, d, e] = ['__t', '__w', '__s', '__d', '__e'].map(id);
  const [jk, jt, l] = ['__jk', '__jt', '__l'].map(id);
  const gran = String(Math.trunc(plan.granularity * 1e6));
  const spans = `(SELECT ${[...g, w, s, `least(${s} + ${c.cast(`${d} * 1000`, 'integer')}, toInt64(${c.int(plan.window.endUs)})) AS ${e}`].join(', ')} FROM ${ev} WHERE ${d} >= 0)`;
  const covered = `(SELECT ${[...g, w, s, e, `${c.bucketStarts(s, e, plan.granularity * 1e6)} AS ${t}`].join(', ')} FROM ${spans})`;
  const overlap = `sum(${w} * (least(${e}, ${t} + ${gran}) - greatest(${s}, ${t}))) / ${gran}`;
  const r = (n: string) => id(`__r_${n}`);
  const o = (n: string) => id(`__o_${n}`);
  const right = `(SELECT ${[...g.map((x, i) => `${x} AS ${r(`g${i}`)}`), `toInt64(${t}) AS ${jt}`, `${overlap} AS ${r('cc')}`, `${keyText} AS ${jk}`].join(', ')} FROM ${covered} GROUP BY ${[...g, t].join(', ')})`;
  const left = `(SELECT *, ${id('__gk')} AS ${jk}, toInt64(assumeNotNull(${t})) AS ${jt}, 1 AS ${l} FROM ${series})`;
  const joined = `(SELECT ${[
    ...g.map((x, i) => `if(${l} = 1, ${x}, ${r(`g${i}`)}) AS ${o(`g${i}`)}`),
    `${jt} AS ${o('t')}`,
    ...plan.calcs.map((_, k) => `${ks.includes(k) ? r('cc') : id(`__c${k}`)} AS ${o(`c${k}`)}`),
    `${id('__rows')} AS ${o('rows')}`,
    `${jk} AS ${o('gk')}`,
  ].join(', ')} FROM ${left} ALL FULL OUTER JOIN ${right} USING (${jk}, ${jt}))`;
  const names = [...g.map((x, i) => [o(`g${i}`), x]), [o('t'), t], ...plan.calcs.map((_, k) => [o(`c${k}`), id(`__c${k}`)]), [o('rows'), id('__rows')], [o('gk'), id('__gk')]];
  return `(SELECT ${names.map(([from, to]) => `${from} AS ${to}`).join(', ')} FROM ${joined})`;
}
