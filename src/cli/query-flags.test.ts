import { describe, expect, it } from 'vitest';
import { parseCalc, parseHaving, parseOrder, parseValue, parseWhere, specFromFlags } from './query-flags.js';

describe('parseWhere', () => {
  it('reads every operator', () => {
    expect(parseWhere('status_code >= 500')).toEqual({ column: 'status_code', op: '>=', value: 500 });
    expect(parseWhere('status_code>=500')).toEqual({ column: 'status_code', op: '>=', value: 500 });
    expect(parseWhere('endpoint = /api/v1/users')).toEqual({ column: 'endpoint', op: '=', value: '/api/v1/users' });
    expect(parseWhere('cache_hit != true')).toEqual({ column: 'cache_hit', op: '!=', value: true });
    expect(parseWhere('duration_ms < 0.5')).toEqual({ column: 'duration_ms', op: '<', value: 0.5 });
    expect(parseWhere('endpoint starts-with /api/v2')).toEqual({ column: 'endpoint', op: 'starts-with', value: '/api/v2' });
    expect(parseWhere('endpoint does-not-end-with /:id')).toEqual({ column: 'endpoint', op: 'does-not-end-with', value: '/:id' });
    expect(parseWhere('message contains 500')).toEqual({ column: 'message', op: 'contains', value: '500' });
    expect(parseWhere('error exists')).toEqual({ column: 'error', op: 'exists' });
    expect(parseWhere('error does-not-exist')).toEqual({ column: 'error', op: 'does-not-exist' });
    expect(parseWhere('region in us-east-1,eu-west-1')).toEqual({ column: 'region', op: 'in', value: ['us-east-1', 'eu-west-1'] });
    expect(parseWhere('status_code not-in 200,"404"')).toEqual({ column: 'status_code', op: 'not-in', value: [200, '404'] });
  });
  it('takes the column from the first word, so values may hold spaces and operator words', () => {
    expect(parseWhere('message = log in failed')).toEqual({ column: 'message', op: '=', value: 'log in failed' });
    expect(parseWhere('"user name" = ann')).toEqual({ column: 'user name', op: '=', value: 'ann' });
    expect(parseWhere('code = "500"')).toEqual({ column: 'code', op: '=', value: '500' });
  });
  it('names the problem', () => {
    expect(() => parseWhere('status_code')).toThrow(/--where "status_code": write COLUMN OP VALUE/);
    expect(() => parseWhere('x like y')).toThrow(/OP is one of/);
    expect(() => parseWhere('x exists 3')).toThrow(/exists takes no value/);
    expect(() => parseWhere('x starts-with')).toThrow(/starts-with needs a value/);
  });
});

describe('parseCalc, parseHaving, parseOrder', () => {
  it('reads calculations with optional names', () => {
    expect(parseCalc('COUNT')).toEqual({ op: 'COUNT' });
    expect(parseCalc('p99(duration_ms)')).toEqual({ op: 'P99', column: 'duration_ms' });
    expect(parseCalc('slow = HEATMAP(duration_ms)')).toEqual({ op: 'HEATMAP', column: 'duration_ms', name: 'slow' });
    expect(() => parseCalc('MEDIAN(x)')).toThrow(/OP is one of COUNT/);
  });
  it('reads havings and orders', () => {
    expect(parseHaving('COUNT > 100')).toEqual({ calculate_op: 'COUNT', op: '>', value: 100 });
    expect(parseHaving('P99(duration_ms) >= 2.5')).toEqual({ calculate_op: 'P99', column: 'duration_ms', op: '>=', value: 2.5 });
    expect(() => parseHaving('COUNT > many')).toThrow(/--having/);
    expect(parseOrder('COUNT')).toEqual({ op: 'COUNT', order: 'descending' });
    expect(parseOrder('P99(duration_ms) asc')).toEqual({ op: 'P99', column: 'duration_ms', order: 'ascending' });
    expect(parseOrder('endpoint')).toEqual({ column: 'endpoint', order: 'ascending' });
    expect(parseOrder('endpoint desc')).toEqual({ column: 'endpoint', order: 'descending' });
  });
  it('reads values', () => {
    expect(parseValue(' 42 ')).toBe(42);
    expect(parseValue('-1e3')).toBe(-1000);
    expect(parseValue("'42'")).toBe('42');
    expect(parseValue('false')).toBe(false);
    expect(parseValue('abc')).toBe('abc');
  });
});

describe('specFromFlags', () => {
  const now = Date.parse('2026-11-22T12:00:00Z');
  it('builds the Honeycomb query the issue example describes', () => {
    expect(specFromFlags({ calc: ['P99(duration_ms)', 'COUNT'], where: ['status_code >= 500'], by: ['endpoint'], last: '2h' }, now)).toEqual({
      calculations: [{ op: 'P99', column: 'duration_ms' }, { op: 'COUNT' }],
      filters: [{ column: 'status_code', op: '>=', value: 500 }],
      breakdowns: ['endpoint'],
      time_range: 7200,
    });
  });
  it('reads every other flag', () => {
    const spec = specFromFlags(
      {
        where: ['a = 1', 'b exists'],
        any: true,
        by: ['region,host', 'endpoint'],
        order: ['COUNT desc'],
        having: ['COUNT > 5'],
        limit: '20',
        field: ['fast=LT($duration_ms, 100)'],
        start: '-3h',
        end: '2026-11-22T11:00:00Z',
        granularity: '5m',
      },
      now,
    );
    expect(spec).toEqual({
      calculations: [{ op: 'COUNT' }],
      filters: [{ column: 'a', op: '=', value: 1 }, { column: 'b', op: 'exists' }],
      filter_combination: 'OR',
      breakdowns: ['region', 'host', 'endpoint'],
      orders: [{ op: 'COUNT', order: 'descending' }],
      havings: [{ calculate_op: 'COUNT', op: '>', value: 5 }],
      limit: 20,
      calculated_fields: [{ name: 'fast', expression: 'LT($duration_ms, 100)' }],
      start_time: now / 1000 - 3 * 3600,
      end_time: Date.parse('2026-11-22T11:00:00Z') / 1000,
      granularity: 300,
    });
    expect(specFromFlags({ granularity: '60' }, now).granularity).toBe(60);
    expect(specFromFlags({ start: '-1h' }, now).end_time).toBe(now / 1000 + 1);
  });
  it('refuses contradictions and bad numbers', () => {
    expect(() => specFromFlags({ last: '2h', start: '-1h' })).toThrow(/--last cannot be combined/);
    expect(() => specFromFlags({ limit: '0' })).toThrow(/--limit/);
    expect(() => specFromFlags({ last: 'two hours' })).toThrow(/--last: "two hours" is not a duration/);
  });
});
