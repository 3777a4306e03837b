// Random requests to every query-like route (queries, Honeycomb's stored queries and results,
// raw event search, BubbleUp, trace look-ups, column lists), over single datasets and
// `__all__`, against data made to reach the engine's corners: a dataset with events only days
// before the window, one typing shared fields differently, field names that differ in case.
// Mostly wrong or odd input, and input valid enough to reach the database. Used by
// test/query-fuzz.test.ts (a quick set in CI) and scripts/query-fuzz.ts (`npm run fuzz`).
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { CALCULATION_OPS, FILTER_OPS } from '../../src/query/index.js';

/** The window the seeded events fall in: [T0, T0 + 2000). */
export const T0 = Date.UTC(2026, 10, 20, 10) / 1000;

export interface FuzzCase {
  route: string;
  method: 'GET' | 'POST';
  url: string;
  body?: unknown;
}

export interface FuzzAnswer {
  status: number;
  body: string;
}

/** Sends through fastify's inject: the routes and their hooks without sockets. */
export function injector(app: FastifyInstance, key: string) {
  return async (c: FuzzCase): Promise<FuzzAnswer> => {
    const res = await app.inject({
      method: c.method,
      url: c.url,
      headers: { 'x-honeycomb-team': key, ...(c.body === undefined ? {} : { 'content-type': 'application/json' }) },
      payload: c.body === undefined ? undefined : JSON.stringify(c.body),
    });
    return { status: res.statusCode, body: res.body };
  };
}

/** Events for the datasets the cases name; `send(dataset, events)` posts a Honeycomb batch. */
export async function seedFuzzData(send: (dataset: string, events: object[]) => Promise<number>): Promise<void> {
  const at = (s: number) => new Date(s * 1000).toISOString();
  const batches: Record<string, object[]> = {
    fuzz: Array.from({ length: 20 }, (_, i) => ({
      time: at(T0 + i * 100),
      samplerate: 1 + (i % 3),
      data: { name: `n${i % 4}`, duration_ms: i * 2.5, status: i % 2 ? 200 : 500, ok: i % 2 === 0, big: 9e15, Status: `S${i % 2}`, 'trace.trace_id': `${'ab'.repeat(15)}${String(i % 3).padStart(2, '0')}`, 'trace.span_id': `s${i}` },
    })),
    // Only days before the window: its columns are in `__all__`'s column list, in no table read.
    idle: [{ time: at(T0 - 5 * 86_400), data: { legacy: 'x', legacy_n: 5, name: 7, duration_ms: 'slow' } }],
    // The same names as `fuzz`, typed otherwise, in the window.
    typed: Array.from({ length: 5 }, (_, i) => ({ time: at(T0 + 50 + i * 300), data: { status: `code-${i}`, duration_ms: i % 2 ? 'fast' : 'slow', ok: i, name: true } })),
  };
  for (const [dataset, events] of Object.entries(batches)) {
    const status = await send(dataset, events);
    if (status !== 200) throw new Error(`seeding ${dataset} answered ${status}`);
  }
}

const datasets = fc.constantFrom('__all__', '__all__', '__all__', '__ALL__', 'fuzz', 'idle', 'typed', 'nope', 'a%2Fb', 'x'.repeat(100));
const column = fc.constantFrom(
  'name', 'duration_ms', 'status', 'Status', 'ok', 'big', 'legacy', 'legacy_n', 'trace.trace_id', 'missing', 'calc', 'other', '', 'we"ird', '__time', '__samplerate', 'x'.repeat(300),
);
const value = fc.oneof(
  fc.constantFrom<unknown>(0, -1, 1e308, -1e308, 9e15, 2 ** 63, 'n1', '500', 'true', 'x', '', null, [], ['a', 1], {}, true, false, 2.5, 'code-1', 'S1'),
  fc.string({ maxLength: 5 }),
  fc.double(),
);
const expression = fc.oneof(
  fc.constantFrom(
    'IF(GT($duration_ms, 10), "slow", "fast")', 'DIV($status, 0)', 'INT("x")', 'INT(1e300)', 'MOD($big, 0)', 'MUL($big, $big, $big)', 'SUM($big, $big)',
    'REG_VALUE($name, `(n)([0-9])`)', 'REG_MATCH($name, `(`)', 'REG_MATCH($name, `[`)', 'REG_VALUE($name, `(?P<x`)', 'UNIX_TIMESTAMP("never")', 'UNIX_TIMESTAMP($name)',
    'LOG10(-1)', 'CONCAT()', 'CONCAT($name, $status, $ok)', 'SUM(', '$', 'IF()', 'BUCKET($status, -1)', 'BUCKET($duration_ms, 0, 1, 0)', 'NOPE()', 'EQUALS($name, 3)',
    'SWITCH($ok, "true", 1)', '$calc', '$legacy', 'COALESCE($legacy, $name)', 'LENGTH($legacy)', 'INT($legacy_n)', 'FLOAT($status)', 'STRING($big)', 'MAX($status, $Status)',
    'MOD($missing, 3)', 'SUM($missing, 1)', 'SUB($legacy, 1)', 'DIV($missing, $status)', 'LOG10($missing)', 'BUCKET($missing, 5)', 'MIN($missing, 1)', 'MOD(IF($ok, $missing), 2)',
    'EVENT_TIMESTAMP()', 'INGEST_TIMESTAMP()', 'TO_LOWER($Status)', 'EXISTS($legacy)', 'NOT($ok)', 'IN($status, 200, "x")', 'STARTS_WITH($name, "n")', 'MIN($big, -9e18)',
  ),
  fc.string({ maxLength: 20 }),
);
const calcOp = fc.oneof(fc.constantFrom(...CALCULATION_OPS), fc.string({ maxLength: 4 }));
const windowOf = fc.oneof(
  fc.constant({ start_time: T0, end_time: T0 + 2000 }),
  fc.record({ start_time: fc.oneof(fc.constant(T0), fc.integer({ min: -10, max: 2 ** 40 })), end_time: fc.oneof(fc.constant(T0 + 2000), fc.integer({ min: -10, max: 2 ** 40 })) }, { requiredKeys: [] }),
  fc.record({ time_range: fc.integer({ min: -5, max: 10 ** 8 }) }),
  fc.constant({}),
);
const calculatedFields = fc.array(fc.record({ name: fc.constantFrom('calc', 'other', '', 'name'), expression }), { maxLength: 2 });
const filter = fc.oneof(
  fc.record({ column, op: fc.oneof(fc.constantFrom(...FILTER_OPS), fc.constant('~')), value }, { requiredKeys: ['column', 'op'] }),
  fc.record({ column, op: fc.constantFrom('in', 'not-in'), value: fc.array(value, { maxLength: 3 }) }),
);
const filters = fc.array(filter, { maxLength: 3 });
const combination = fc.constantFrom('AND', 'OR', 'XOR');

const spec = fc.tuple(windowOf, fc.record({
  calculations: fc.array(fc.record({ op: calcOp, column: fc.option(column), name: fc.option(fc.string({ maxLength: 5 })) }, { requiredKeys: ['op'] }), { maxLength: 4 }),
  filters,
  filter_combination: combination,
  breakdowns: fc.array(column, { maxLength: 3 }),
  orders: fc.array(fc.record({ op: fc.constantFrom(...CALCULATION_OPS), column: fc.option(column), order: fc.constantFrom('ascending', 'descending') }, { requiredKeys: [] }), { maxLength: 2 }),
  havings: fc.array(fc.record({ calculate_op: fc.constantFrom(...CALCULATION_OPS), column: fc.option(column), op: fc.constantFrom('>', '=', '<=', '!='), value: fc.oneof(fc.double(), fc.constant('x')) }), { maxLength: 2 }),
  limit: fc.oneof(fc.integer({ min: -1, max: 20_000 }), fc.constant(1.5)),
  granularity: fc.oneof(fc.integer({ min: -1, max: 100_000 }), fc.constantFrom(10, 60)),
  calculated_fields: calculatedFields,
}, { requiredKeys: [] })).map(([w, s]) => ({ ...w, ...s }));

// Specs that pass the schema, so the odd columns, values and expressions reach the database.
const nearlyValid = fc.record({
  calculations: fc.array(fc.oneof(fc.constant({ op: 'COUNT' }), fc.record({ op: fc.constantFrom(...CALCULATION_OPS.filter((op) => op !== 'COUNT' && op !== 'CONCURRENCY')), column })), { maxLength: 3 }),
  filters: fc.array(fc.oneof(
    fc.record({ column, op: fc.constantFrom('=', '!=', '>', '<=', 'starts-with', 'does-not-contain', 'contains'), value: fc.constantFrom<unknown>(0, 'n1', '500', 'true', '', 2.5, 1e308, false, 'code-1', 'x') }),
    fc.record({ column, op: fc.constantFrom('in', 'not-in'), value: fc.constantFrom<unknown>(['n1', 2], [true], ['500'], ['code-1', 'x']) }),
    fc.record({ column, op: fc.constantFrom('exists', 'does-not-exist') }),
  ), { maxLength: 3 }),
  filter_combination: fc.constantFrom('AND', 'OR'),
  breakdowns: fc.array(column, { maxLength: 2 }),
  start_time: fc.constant(T0),
  end_time: fc.constant(T0 + 2000),
  granularity: fc.constantFrom(10, 60, 2000),
  calculated_fields: fc.array(fc.record({ name: fc.constantFrom('calc', 'other'), expression }), { maxLength: 1 }),
});
const anySpec = fc.oneof(spec, nearlyValid, nearlyValid);
const path = (ds: string) => encodeURIComponent(ds).replaceAll('%25', '%');

const query = fc.tuple(datasets, anySpec, fc.constantFrom('', '?disable_series=true', '?timeout_ms=1', '?timeout_ms=0')).map(([ds, body, q]): FuzzCase[] => [
  { route: 'query', method: 'POST', url: `/api/v1/query/${path(ds)}${q}`, body },
]);
/** Honeycomb's flow: store a spec, then run it (the second request only means something when the first was taken). */
const stored = fc.tuple(datasets, anySpec, fc.record({ disable_series: fc.boolean(), limit: fc.oneof(fc.integer({ min: -1, max: 2000 }), fc.constant(null)) }, { requiredKeys: [] })).map(([ds, body, run]): FuzzCase[] => [
  { route: 'queries', method: 'POST', url: `/1/queries/${path(ds)}`, body },
  { route: 'query_results', method: 'POST', url: `/1/query_results/${path(ds)}`, body: { ...run, query_id: '{id}' } },
]);
const search = fc.tuple(datasets, anySpec, fc.record({
  order: fc.constantFrom('ascending', 'descending', 'sideways'),
  limit: fc.oneof(fc.integer({ min: -1, max: 2000 }), fc.constant(1.5)),
  columns: fc.array(column, { maxLength: 4 }),
}, { requiredKeys: [] })).map(([ds, s, extra]): FuzzCase[] => {
  const { calculations: _c, breakdowns: _b, orders: _o, havings: _h, limit: _l, granularity: _g, ...rest } = s as Record<string, unknown>;
  return [{ route: 'search', method: 'POST', url: `/api/v1/events/${path(ds)}/search`, body: { ...rest, ...extra } }];
});
const bubbleup = fc.tuple(datasets, nearlyValid, fc.oneof(fc.record({ filters: nearlyValid.map((v) => v.filters), filter_combination: combination }), fc.record({
  start_time: fc.oneof(fc.constant(T0 + 500), fc.integer({ min: -1, max: 2 ** 34 })),
  end_time: fc.oneof(fc.constant(T0 + 1500), fc.integer({ min: -1, max: 2 ** 34 })),
  column,
  min: fc.oneof(fc.double(), fc.constant(0)),
  max: fc.oneof(fc.double(), fc.constant(100)),
  filters,
  filter_combination: combination,
}, { requiredKeys: [] })), fc.oneof(fc.record({
  columns: fc.array(column, { maxLength: 4 }),
  max_columns: fc.integer({ min: -1, max: 1200 }),
  top: fc.integer({ min: -1, max: 120 }),
  sample: fc.oneof(fc.integer({ min: 50, max: 2_000_000 }), fc.constant(100)),
}, { requiredKeys: [] }), fc.record({
  columns: fc.array(column.filter((c) => c !== ''), { minLength: 1, maxLength: 4 }),
  top: fc.integer({ min: 1, max: 20 }),
  sample: fc.integer({ min: 100, max: 1000 }),
}, { requiredKeys: [] }))).map(([ds, base, selection, extra]): FuzzCase[] => {
  const { filters: f, filter_combination: fcomb, calculated_fields: cf, start_time: s, end_time: e } = base;
  return [{ route: 'bubbleup', method: 'POST', url: `/api/v1/bubbleup/${path(ds)}`, body: { baseline: { filters: f, filter_combination: fcomb, calculated_fields: cf, start_time: s, end_time: e }, selection, ...extra } }];
});
const traces = fc.oneof(fc.constantFrom(`${'ab'.repeat(15)}01`, `${'AB'.repeat(15)}02`, '0'.repeat(32), 'xyz', '%00', 'a'.repeat(33)), fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: 30, maxLength: 34 }))
  .map((id): FuzzCase[] => [{ route: 'trace', method: 'GET', url: `/api/v1/traces/${encodeURIComponent(id)}` }]);
const columns = datasets.map((ds): FuzzCase[] => [{ route: 'columns', method: 'GET', url: `/1/columns/${path(ds)}` }]);

/** One fuzz case: one request, or two for the stored-query flow. */
export const fuzzCase = fc.oneof(
  { arbitrary: query, weight: 4 },
  { arbitrary: stored, weight: 1 },
  { arbitrary: search, weight: 2 },
  { arbitrary: bubbleup, weight: 2 },
  { arbitrary: traces, weight: 1 },
  { arbitrary: columns, weight: 1 },
);

export interface FuzzReport {
  cases: number;
  requests: number;
  /** route -> status -> count */
  statuses: Record<string, Record<number, number>>;
  /** Answers that break the rule: a 5xx, or a 4xx whose error does not start with the field at fault. */
  failures: { request: FuzzCase; answer: FuzzAnswer }[];
}

/** A 4xx error text names what is wrong first: `filters[0].value: ...`, `dataset "x" does not exist`. */
const NAMES_FIELD = /^[A-Za-z_]+(\[\d+\])?[.:[ ]/;

/** Runs `cases` cases drawn from `seed` (in chunks, so 100,000 stay in little memory). */
export async function runFuzz(send: (c: FuzzCase) => Promise<FuzzAnswer>, cases: number, seed: number, progress?: (done: number) => void): Promise<FuzzReport> {
  const report: FuzzReport = { cases: 0, requests: 0, statuses: {}, failures: [] };
  const CHUNK = 1000;
  for (let done = 0; done < cases; done += CHUNK) {
    for (const requests of fc.sample(fuzzCase, { numRuns: Math.min(CHUNK, cases - done), seed: seed + done })) {
      let id = '';
      for (const r of requests) {
        const request = id ? { ...r, body: { ...(r.body as object), query_id: id } } : r;
        const answer = await send(request);
        report.requests++;
        const byStatus = (report.statuses[r.route] ??= {});
        byStatus[answer.status] = (byStatus[answer.status] ?? 0) + 1;
        let error: unknown;
        try {
          error = answer.status >= 400 ? JSON.parse(answer.body).error : undefined;
        } catch {
          error = undefined;
        }
        if (answer.status >= 500 || (answer.status >= 400 && !(typeof error === 'string' && NAMES_FIELD.test(error)))) report.failures.push({ request, answer });
        if (r.route === 'queries' && answer.status === 200) id = JSON.parse(answer.body).id;
      }
      report.cases++;
    }
    progress?.(report.cases);
  }
  return report;
}
