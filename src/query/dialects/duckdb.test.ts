// The SQL the compilers generate is snapshot-tested: any change to it shows in review.
import { describe, expect, it } from 'vitest';
import { compileQuery, whereClause } from '../compile.js';
import { planQuery, type ColumnTypes } from '../plan.js';
import { parseQuerySpec } from '../spec.js';
import { SqlCompiler } from './base.js';
import { DuckDbCompiler } from './duckdb.js';

const T0 = Date.UTC(2026, 10, 20, 10) / 1000;
const columns: ColumnTypes = new Map([
  ['endpoint', 'string'], ['duration_ms', 'float'], ['status', 'integer'], ['ok', 'boolean'], ['we"ird', 'string'],
]);
const plan = (spec: object) =>
  planQuery({ spec: parseQuerySpec({ start_time: T0, end_time: T0 + 7200, ...spec }), datasetIds: ['d1'], columns, nowSeconds: T0 + 7200 });
const SOURCE = '"ev_d1_20261120"';

describe('DuckDB compiler', () => {
  it('compiles P99 by endpoint with a filter', () => {
    const c = new DuckDbCompiler();
    const p = plan({ breakdowns: ['endpoint'], calculations: [{ op: 'P99', column: 'duration_ms' }, { op: 'COUNT' }], filters: [{ column: 'status', op: '>=', value: 500 }] });
    expect(compileQuery(c, p, SOURCE, { series: true, weighted: false })).toMatchSnapshot();
    expect(c.params).toMatchSnapshot();
  });

  it('compiles weighted percentiles without series', () => {
    const c = new DuckDbCompiler();
    const p = plan({ breakdowns: ['endpoint', 'ok'], calculations: [{ op: 'P50', column: 'duration_ms' }, { op: 'P99', column: 'duration_ms' }] });
    expect(compileQuery(c, p, SOURCE, { series: false, weighted: true })).toMatchSnapshot();
  });

  it('compiles heatmap, concurrency, count distinct and a calculated field, with a having', () => {
    const c = new DuckDbCompiler();
    const p = plan({
      breakdowns: ['slow'],
      calculated_fields: [{ name: 'slow', expression: 'IF(GT($duration_ms, 100), "slow", "fast")' }],
      calculations: [{ op: 'HEATMAP', column: 'duration_ms' }, { op: 'CONCURRENCY' }, { op: 'COUNT_DISTINCT', column: 'endpoint' }],
      havings: [{ calculate_op: 'COUNT_DISTINCT', column: 'endpoint', op: '>', value: 1 }],
      granularity: 60,
    });
    expect(compileQuery(c, p, SOURCE, { series: true, weighted: false })).toMatchSnapshot();
  });

  it('quotes every identifier and passes every value as a parameter', () => {
    const c = new DuckDbCompiler();
    const evil = `x'); DROP TABLE datasets; --`;
    const p = plan({ breakdowns: ['we"ird'], filters: [{ column: 'we"ird', op: 'contains', value: evil }, { column: 'endpoint', op: 'in', value: [evil, 'b'] }] });
    const sql = compileQuery(c, p, SOURCE, { series: true, weighted: true });
    expect(sql).toContain('"we""ird"');
    expect(sql).not.toContain('DROP');
    expect(c.params.filter((v) => v === evil)).toHaveLength(2);
  });
});

describe('the default compiler', () => {
  it('writes portable SQL where DuckDB has its own functions', () => {
    const p = plan({ filters: [{ column: 'endpoint', op: 'starts-with', value: '/api' }, { column: 'endpoint', op: 'does-not-end-with', value: '.js' }] });
    const base = new SqlCompiler();
    const duck = new DuckDbCompiler();
    expect(whereClause(base, p.window, p.where)).toMatchInlineSnapshot(`""__time" >= CAST($1 AS TIMESTAMP) AND "__time" < CAST($2 AS TIMESTAMP) AND (("endpoint" LIKE (REPLACE(REPLACE(REPLACE(CAST($3 AS VARCHAR), '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%') ESCAPE '\\') AND (("endpoint" IS NULL) OR (NOT ("endpoint" LIKE ('%' || REPLACE(REPLACE(REPLACE(CAST($4 AS VARCHAR), '\\', '\\\\'), '%', '\\%'), '_', '\\_')) ESCAPE '\\'))))"`);
    expect(whereClause(duck, p.window, p.where)).toMatchInlineSnapshot(`""__time" >= CAST($1 AS TIMESTAMP) AND "__time" < CAST($2 AS TIMESTAMP) AND (starts_with("endpoint", CAST($3 AS VARCHAR)) AND (("endpoint" IS NULL) OR (NOT suffix("endpoint", CAST($4 AS VARCHAR)))))"`);
    expect(duck.params).toEqual(['2026-11-20T10:00:00.000000', '2026-11-20T12:00:00.000000', '/api', '.js']);
  });
});
