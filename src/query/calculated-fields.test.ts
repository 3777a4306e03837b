import { describe, expect, it } from 'vitest';
import { parseCalculatedField } from './calculated-fields.js';
import { col, NULL, type Expr } from './expr.js';

const columns: Record<string, Expr> = {
  duration_ms: col('duration_ms', 'float'),
  status: col('status', 'integer'),
  'http.url': col('http.url', 'string'),
  'odd name': col('odd name', 'string'),
};
const resolve = (name: string) => columns[name] ?? NULL;
const parse = (src: string) => parseCalculatedField(src, resolve, 'calculated_fields[0].expression');
const problem = (src: string) => {
  try {
    parse(src);
    return 'accepted';
  } catch (err) {
    return (err as Error).message;
  }
};

describe('the derived-column language', () => {
  it('parses columns, literals and nested calls with their result types', () => {
    expect(parse('$duration_ms')).toEqual(columns.duration_ms);
    expect(parse('$"odd name"')).toEqual(columns['odd name']);
    expect(parse('GT($duration_ms, 100,)')).toMatchObject({ kind: 'call', fn: 'gt', type: 'boolean' });
    expect(parse('SUM($status, 1)').type).toBe('float');
    expect(parse('MOD($status, 7)').type).toBe('integer');
    expect(parse('DIV($status, 2)').type).toBe('float');
    expect(parse('IF(GTE($status, 500), "error", "ok")')).toMatchObject({ fn: 'if', type: 'string' });
    expect(parse('if(lt($duration_ms, 1), 1, 2.5)').type).toBe('float');
    expect(parse('CONCAT($http.url, "-", $status)').type).toBe('string');
    expect(parse('REG_VALUE($http.url, `/users/([0-9]+)`)')).toMatchObject({ fn: 'regex_value', args: [{}, { value: '/users/([0-9]+)' }, { value: 1 }] });
    expect(parse('EVENT_TIMESTAMP()')).toMatchObject({ fn: 'event_time', type: 'float' });
    expect(parse('$missing')).toEqual(NULL);
  });

  it('turns SWITCH into string comparisons and COALESCE into null-or-empty skipping', () => {
    const sw = parse('SWITCH($status, "200", "ok", "500", "bad", "other")');
    expect(sw).toMatchObject({ fn: 'if', args: [{ fn: 'eq', args: [{ fn: 'to_string' }, { value: '200' }] }, { value: 'ok' }, { fn: 'eq' }, { value: 'bad' }, { value: 'other' }] });
    expect(parse('COALESCE($http.url, "none")')).toMatchObject({ fn: 'coalesce', args: [{ fn: 'nullif_empty' }, { fn: 'nullif_empty' }] });
  });

  it('names the problem and where it is', () => {
    expect(problem('NOPE(1)')).toBe('calculated_fields[0].expression: at 0: unknown function NOPE');
    expect(problem('SUB(1)')).toBe('calculated_fields[0].expression: at 0: SUB takes 2 arguments, got 1');
    expect(problem('IF($a, 1')).toMatch(/is not closed/);
    expect(problem('"open')).toMatch(/at 0: string is not closed/);
    expect(problem('REG_MATCH($http.url, `(`)')).toMatch(/bad regular expression/);
    expect(problem('REG_MATCH($http.url, $http.url)')).toMatch(/must be a string literal/);
    expect(problem('REG_MATCH($http.url, `a(?=b)`)')).toMatch(/RE2 syntax: lookarounds and backreferences/);
    expect(problem('REG_VALUE($http.url, `(a)\\1`)')).toMatch(/RE2 syntax/);
    expect(problem('1 2')).toMatch(/at 2: unexpected text after the expression/);
    expect(problem('BUCKET($status, 0)')).toMatch(/BUCKET size must be positive/);
  });
});
