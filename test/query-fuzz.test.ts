// Bad input never costs a 5xx: random, mostly-wrong query specifications (odd types, unknown
// columns, broken expressions, extreme numbers) sent to the query API get 200 or a 4xx
// with a message.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALCULATION_OPS, FILTER_OPS } from '../src/query/index.js';
import { startTestTend, type TestTend } from './support/tend.js';

let t: TestTend;
const T0 = Date.UTC(2026, 10, 20, 10) / 1000;

beforeAll(async () => {
  t = await startTestTend();
  const events = Array.from({ length: 20 }, (_, i) => ({
    time: new Date((T0 + i * 100) * 1000).toISOString(),
    samplerate: 1 + (i % 3),
    data: { name: `n${i % 4}`, duration_ms: i * 2.5, status: i % 2 ? 200 : 500, ok: i % 2 === 0, big: 9e15 },
  }));
  const res = await fetch(`${t.url}/1/batch/fuzz`, { method: 'POST', headers: { 'x-honeycomb-team': t.ingestKey }, body: JSON.stringify(events) });
  expect(res.status).toBe(200);
});
afterAll(async () => t?.close());

const column = fc.constantFrom('name', 'duration_ms', 'status', 'ok', 'big', 'missing', 'calc', '', 'we"ird', 'x'.repeat(300));
const value = fc.oneof(fc.constantFrom<unknown>(0, -1, 1e308, 'n1', '500', 'true', '', null, [], ['a', 1], {}, true, 2.5), fc.string({ maxLength: 5 }));
const expression = fc.oneof(
  fc.constantFrom(
    'IF(GT($duration_ms, 10), "slow", "fast")', 'DIV($status, 0)', 'INT("x")', 'INT(1e300)', 'MOD($big, 0)',
    'REG_VALUE($name, `(n)([0-9])`)', 'UNIX_TIMESTAMP("never")', 'LOG10(-1)', 'MUL($big, $big, $big)', 'CONCAT()',
    'SUM(', '$', 'IF()', 'BUCKET($status, -1)', 'NOPE()', 'EQUALS($name, 3)', 'SWITCH($ok, "true", 1)', '$calc',
  ),
  fc.string({ maxLength: 20 }),
);
const spec = fc.record(
  {
    calculations: fc.array(fc.record({ op: fc.oneof(fc.constantFrom(...CALCULATION_OPS), fc.string({ maxLength: 4 })), column: fc.option(column), name: fc.option(fc.string({ maxLength: 5 })) }, { requiredKeys: ['op'] }), { maxLength: 4 }),
    filters: fc.array(fc.record({ column, op: fc.oneof(fc.constantFrom(...FILTER_OPS), fc.constant('~')), value }, { requiredKeys: ['column', 'op'] }), { maxLength: 3 }),
    filter_combination: fc.constantFrom('AND', 'OR', 'XOR'),
    breakdowns: fc.array(column, { maxLength: 3 }),
    orders: fc.array(fc.record({ op: fc.constantFrom(...CALCULATION_OPS), column: fc.option(column), order: fc.constantFrom('ascending', 'descending') }, { requiredKeys: [] }), { maxLength: 2 }),
    havings: fc.array(fc.record({ calculate_op: fc.constantFrom(...CALCULATION_OPS), column: fc.option(column), op: fc.constantFrom('>', '=', '<='), value: fc.oneof(fc.double(), fc.constant('x')) }), { maxLength: 2 }),
    limit: fc.oneof(fc.integer({ min: -1, max: 20_000 }), fc.constant(1.5)),
    start_time: fc.oneof(fc.constant(T0), fc.integer({ min: -10, max: 2 ** 40 })),
    end_time: fc.oneof(fc.constant(T0 + 2000), fc.integer({ min: -10, max: 2 ** 40 })),
    time_range: fc.integer({ min: -5, max: 10 ** 8 }),
    granularity: fc.integer({ min: -1, max: 100_000 }),
    calculated_fields: fc.array(fc.record({ name: fc.constantFrom('calc', 'other', ''), expression }), { maxLength: 2 }),
  },
  { requiredKeys: [] },
);

// Specs that pass the schema, so the odd columns, values and expressions reach the database.
const nearlyValid = fc.record({
  calculations: fc.array(fc.oneof(fc.constant({ op: 'COUNT' }), fc.record({ op: fc.constantFrom(...CALCULATION_OPS.filter((op) => op !== 'COUNT' && op !== 'CONCURRENCY')), column })), { maxLength: 3 }),
  filters: fc.array(fc.oneof(
    fc.record({ column, op: fc.constantFrom('=', '!=', '>', '<=', 'starts-with', 'does-not-contain'), value: fc.constantFrom<unknown>(0, 'n1', '500', 'true', '', 2.5, 1e308, false) }),
    fc.record({ column, op: fc.constantFrom('in', 'not-in'), value: fc.constantFrom<unknown>(['n1', 2], [true], ['500']) }),
    fc.record({ column, op: fc.constantFrom('exists', 'does-not-exist') }),
  ), { maxLength: 3 }),
  filter_combination: fc.constantFrom('AND', 'OR'),
  breakdowns: fc.array(column, { maxLength: 2 }),
  start_time: fc.constant(T0),
  end_time: fc.constant(T0 + 2000),
  granularity: fc.constantFrom(10, 60, 2000),
  calculated_fields: fc.array(fc.record({ name: fc.constantFrom('calc', 'other'), expression }), { maxLength: 1 }),
});

describe('the query API under random input', () => {
  it('answers 200 or a 4xx with a message, never a 5xx', async () => {
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.oneof(spec, nearlyValid), async (body) => {
        const res = await t.tend.app.inject({
          method: 'POST',
          url: '/api/v1/query/fuzz',
          headers: { 'x-honeycomb-team': t.adminKey, 'content-type': 'application/json' },
          payload: JSON.stringify(body),
        });
        expect(res.statusCode, `${res.body}\n${JSON.stringify(body)}`).toBeLessThan(500);
        const outcome = res.statusCode === 200 ? 'ok' : String(res.json().error).split(/[:[]/)[0];
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        if (res.statusCode !== 200) expect(res.json().error).toMatch(/^[a-z_]+(\[\d+\])?[.:[ ]/);
      }),
      { numRuns: 300 },
    );
    // Some specs must have reached the database, or the test proved nothing about it.
    expect(outcomes.get('ok') ?? 0).toBeGreaterThan(10);
  });
});
