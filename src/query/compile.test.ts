// The SQL the compilers generate is snapshot-tested: any change to it shows in review. Every
// engine registered in store/engines.ts runs the same cases, and so does the default compiler.
import { describe, expect, it } from 'vitest';
import { ENGINES, SqlCompiler } from '../store/index.js';
import { compileQuery, whereClause } from './compile.js';
import { planQuery, type ColumnTypes } from './plan.js';
import { parseQuerySpec } from './spec.js';

const T0 = Date.UTC(2026, 10, 20, 10) / 1000;
const columns: ColumnTypes = new Map([
  ['endpoint', 'string'], ['duration_ms', 'float'], ['status', 'integer'], ['ok', 'boolean'], ['we"ird', 'string'],
]);
const plan = (spec: object) =>
  planQuery({ spec: parseQuerySpec({ start_time: T0, end_time: T0 + 7200, ...spec }), datasetIds: ['d1'], columns, nowSeconds: T0 + 7200 });
const SOURCE = '"ev_d1_20261120"';
const COMPILERS: [string, () => SqlCompiler][] = [...Object.entries(ENGINES).map(([name, e]): [string, () => SqlCompiler] => [name, e.compiler]), ['default', () => new SqlCompiler()]];

describe.each(COMPILERS)('the %s compiler', (_name, compiler) => {
  it('compiles P99 by endpoint with a filter', () => {
    const c = compiler();
    const p = plan({ breakdowns: ['endpoint'], calculations: [{ op: 'P99', column: 'duration_ms' }, { op: 'COUNT' }], filters: [{ column: 'status', op: '>=', value: 500 }] });
    expect(compileQuery(c, p, SOURCE, { series: true, weighted: false })).toMatchSnapshot();
    expect(c.params).toMatchSnapshot();
  });

  it('compiles sums, averages and a heatmap with their totals made from the series rows', () => {
    const c = compiler();
    const p = plan({ breakdowns: ['endpoint'], calculations: [{ op: 'COUNT' }, { op: 'AVG', column: 'duration_ms' }, { op: 'MAX', column: 'status' }, { op: 'HEATMAP', column: 'duration_ms' }] });
    expect(compileQuery(c, p, SOURCE, { series: true, weighted: false })).toMatchSnapshot();
  });

  it('compiles weighted percentiles without series', () => {
    const c = compiler();
    const p = plan({ breakdowns: ['endpoint', 'ok'], calculations: [{ op: 'P50', column: 'duration_ms' }, { op: 'P99', column: 'duration_ms' }] });
    expect(compileQuery(c, p, SOURCE, { series: false, weighted: true })).toMatchSnapshot();
  });

  it('compiles heatmap, concurrency, count distinct and a calculated field, with a having', () => {
    const c = compiler();
    const p = plan({
      breakdowns: ['slow'],
      calculated_fields: [{ name: 'slow', expression: 'IF(GT($duration_ms, 100), "slow", "fast")' }],
      calculations: [{ op: 'HEATMAP', column: 'duration_ms' }, { op: 'CONCURRENCY' }, { op: 'COUNT_DISTINCT', column: 'endpoint' }],
      havings: [{ calculate_op: 'COUNT_DISTINCT', column: 'endpoint', op: '>', value: 1 }],
      granularity: 60,
    });
    expect(compileQuery(c, p, SOURCE, { series: true, weighted: false })).toMatchSnapshot();
  });

  it('compiles filters of every kind', () => {
    const c = compiler();
    const p = plan({ filters: [{ column: 'endpoint', op: 'starts-with', value: '/api' }, { column: 'endpoint', op: 'does-not-end-with', value: '.js' }, { column: 'endpoint', op: 'contains', value: 'x' }] });
    expect(whereClause(c, p.window, p.where)).toMatchSnapshot();
    // The two window bounds first, in the engine's own time representation.
    expect(c.params.slice(2)).toEqual(['/api', '.js', 'x']);
  });

  it('spells the engine-only pieces: sampling, unpivoting, approximate aggregates, timestamps', () => {
    const c = compiler();
    const pieces = [
      c.sample(`SELECT * FROM ${SOURCE}`, 1000),
      c.unpivot('"picked"', ['"sel"', '"w"'], ['k0', 'k1'], '"k"', '"v"'),
      c.approxCountDistinct('"x"'),
      c.approxQuantiles('"x"', [0.1, 0.5]),
      c.epochMicros(c.timeColumn),
      c.timestamp(1_700_000_000_123_456),
      c.bool(true),
    ];
    expect(pieces).toMatchSnapshot();
  });

  it('quotes every identifier and passes every value as a parameter', () => {
    const c = compiler();
    const evil = `x'); DROP TABLE datasets; --`;
    const p = plan({ breakdowns: ['we"ird'], filters: [{ column: 'we"ird', op: 'contains', value: evil }, { column: 'endpoint', op: 'in', value: [evil, 'b'] }] });
    const sql = compileQuery(c, p, SOURCE, { series: true, weighted: true });
    expect(sql).toContain(c.ident('we"ird'));
    // Engines without parameters (ClickHouse 18.16) write values as escaped literals: never the raw text.
    expect(sql).not.toContain(evil);
    expect(c.params.filter((v) => v === evil)).toHaveLength(2);
  });
});
