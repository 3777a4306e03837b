import { describe, expect, it } from 'vitest';
import { calculationKey, parseQuerySpec } from './spec.js';

const problem = (json: unknown) => {
  try {
    parseQuerySpec(json);
  } catch (err) {
    return `${(err as { status: number }).status} ${(err as Error).message}`;
  }
  return 'accepted';
};

describe('parseQuerySpec', () => {
  it('accepts a Honeycomb query specification', () => {
    const spec = parseQuerySpec({
      calculations: [{ op: 'P99', column: 'duration_ms' }, { op: 'COUNT' }],
      filters: [{ column: 'status', op: '>=', value: 500 }, { column: 'x', op: 'exists' }],
      filter_combination: 'OR',
      breakdowns: ['endpoint'],
      orders: [{ op: 'COUNT', order: 'descending' }],
      havings: [{ calculate_op: 'COUNT', op: '>', value: 10 }],
      time_range: 7200,
      granularity: 60,
      limit: 100,
      calculated_fields: [{ name: 'slow', expression: 'GT($duration_ms, 100)' }],
      ignored_by_tend: true,
    });
    expect(spec.calculations).toHaveLength(2);
    expect(spec).not.toHaveProperty('ignored_by_tend');
  });

  it('names the field at fault', () => {
    expect(problem({ calculations: [{ op: 'COUNT' }, { op: 'SUM' }] })).toBe('400 calculations[1].column: SUM needs a column');
    expect(problem({ calculations: [{ op: 'COUNT', column: 'a' }] })).toBe('400 calculations[0].column: COUNT takes no column');
    expect(problem({ filters: [{ column: 'a', op: 'like', value: 1 }] })).toMatch(/^400 filters\[0\]\.op: /);
    expect(problem({ filters: [{ column: 'a', op: '=' }] })).toBe('400 filters[0].value: = needs a value');
    expect(problem({ filters: [{ column: 'a', op: 'not-in', value: [] }] })).toBe('400 filters[0].value: not-in needs at least one value');
    expect(problem({ filters: [{ column: 'a', op: '=', value: [1] }] })).toBe('400 filters[0].value: = takes one value, not an array');
    expect(problem({ breakdowns: Array.from({ length: 101 }, (_, i) => `c${i}`) })).toMatch(/^400 breakdowns: /);
    expect(problem({ limit: 0 })).toMatch(/^400 limit: /);
    expect(problem({ limit: 10_001 })).toMatch(/^400 limit: /);
    expect(problem({ start_time: 100, end_time: 50 })).toBe('400 end_time: must be after start_time');
    expect(problem({ orders: [{ order: 'ascending' }] })).toMatch(/^400 orders\[0\]: give an op/);
    expect(problem({ calculated_fields: [{ name: 'a', expression: '1' }, { name: 'a', expression: '2' }] })).toBe('400 calculated_fields[1].name: "a" is defined twice');
    expect(problem('COUNT')).toBe('400 query: expected a JSON object');
  });
});

describe('calculationKey', () => {
  it('is the name, COUNT, or OP(column)', () => {
    expect(calculationKey({ op: 'COUNT' })).toBe('COUNT');
    expect(calculationKey({ op: 'P99', column: 'duration_ms' })).toBe('P99(duration_ms)');
    expect(calculationKey({ op: 'P99', column: 'duration_ms', name: 'p99' })).toBe('p99');
  });
});
