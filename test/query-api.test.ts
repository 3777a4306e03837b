// The query API end to end: events sent over HTTP with the Honeycomb batch API, queried over
// HTTP through the synchronous route and through Honeycomb's Query Data flow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWithin } from '../src/query/index.js';
import { startTestTend, type TestTend } from './support/tend.js';

let t: TestTend;
/** 2026-11-20T10:00:00Z, in seconds. */
const T0 = Date.UTC(2026, 10, 20, 10) / 1000;
const iso = (s: number) => new Date(s * 1000).toISOString();

async function call(method: string, path: string, body?: unknown, key = t.adminKey) {
  const res = await fetch(`${t.url}${path}`, {
    method,
    headers: { 'x-honeycomb-team': key, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

const query = (dataset: string, spec: Record<string, unknown>) => call('POST', `/api/v1/query/${dataset}`, { start_time: T0, end_time: T0 + 3600, ...spec });

beforeAll(async () => {
  t = await startTestTend();
  // 12 requests: one every 5 minutes; /a is sampled 1 in 4, /b kept whole.
  const events = Array.from({ length: 12 }, (_, i) => ({
    time: iso(T0 + i * 300),
    samplerate: i % 2 ? 4 : 1,
    data: { endpoint: i % 2 ? '/a' : '/b', duration_ms: (i + 1) * 10, status: i === 5 ? 500 : 200, user: `u${i % 3}` },
  }));
  const spans = [
    // Two spans overlapping 10:00:00-10:00:30 and one alone later.
    { time: iso(T0), data: { name: 'x', duration_ms: 60_000 } },
    { time: iso(T0 + 30), data: { name: 'y', duration_ms: 30_000 } },
    { time: iso(T0 + 600), data: { name: 'x', duration_ms: 120_000 } },
  ];
  for (const [ds, batch] of [['web', events], ['spans', spans]] as const) {
    const r = await call('POST', `/1/batch/${ds}`, batch, t.ingestKey);
    expect(r.body.every((s: { status: number }) => s.status === 202)).toBe(true);
  }
});
afterAll(async () => t?.close());

describe('POST /api/v1/query/:dataset', () => {
  it('counts by breakdown, weighted by sample rate, ordered by COUNT', async () => {
    const r = await query('web', { breakdowns: ['endpoint'], calculations: [{ op: 'COUNT' }, { op: 'SUM', column: 'duration_ms' }, { op: 'MAX', column: 'duration_ms' }] });
    expect(r.status).toBe(200);
    // /a: i = 1,3,5,7,9,11 with rate 4 -> 24 events; durations 20,40,...,120 -> sum 420 * 4.
    expect(r.body.data.results).toEqual([
      { data: { endpoint: '/a', COUNT: 24, 'SUM(duration_ms)': 1680, 'MAX(duration_ms)': 120 } },
      { data: { endpoint: '/b', COUNT: 6, 'SUM(duration_ms)': 360, 'MAX(duration_ms)': 110 } },
    ]);
    expect(r.body.metadata).toMatchObject({ dataset: 'web', start_time: T0, end_time: T0 + 3600, granularity: 15, rows_scanned: 12, groups: 2, truncated: false, series_groups: 2 });
  });

  it('has every bucket for every group, empty ones with COUNT 0', async () => {
    const r = await query('web', { breakdowns: ['endpoint'], granularity: 600 });
    const series = r.body.data.series as { time: string; data: Record<string, unknown> }[];
    expect(series).toHaveLength(12); // 6 buckets x 2 groups
    const a = series.filter((p) => p.data.endpoint === '/a').map((p) => p.data.COUNT);
    // Each 10-minute bucket holds one /a event (rate 4) and one /b event (rate 1).
    expect(a).toEqual([4, 4, 4, 4, 4, 4]);
    expect(series[0].time).toBe(iso(T0).replace('.000Z', 'Z'));
    const sparse = await query('web', { granularity: 60, filters: [{ column: 'endpoint', op: '=', value: '/b' }] });
    const counts = sparse.body.data.series.map((p: { data: { COUNT: number } }) => p.data.COUNT);
    expect(counts).toHaveLength(60);
    expect(counts.filter((c: number) => c === 0)).toHaveLength(54);
  });

  it('follows Honeycomb for unknown columns: = matches nothing, does-not-exist everything, breakdown is one null group', async () => {
    const none = await query('web', { filters: [{ column: 'nope', op: '=', value: 'x' }] });
    expect(none.body.data.results).toEqual([{ data: { COUNT: 0 } }]);
    const all = await query('web', { filters: [{ column: 'nope', op: 'does-not-exist' }] });
    expect(all.body.data.results).toEqual([{ data: { COUNT: 30 } }]);
    const grouped = await query('web', { breakdowns: ['nope'] });
    expect(grouped.body.data.results).toEqual([{ data: { nope: null, COUNT: 30 } }]);
  });

  it('compares numbers as numbers and applies havings and limits', async () => {
    const r = await query('web', {
      breakdowns: ['user'],
      calculations: [{ op: 'COUNT' }],
      filters: [{ column: 'duration_ms', op: '>=', value: '30' }, { column: 'status', op: '!=', value: 500 }],
      havings: [{ calculate_op: 'COUNT', op: '>', value: 5 }],
      orders: [{ column: 'user', order: 'ascending' }],
    });
    // i >= 2 and i != 5: u0 -> i 3,6,9 (4+1+4), u1 -> i 4,7,10 (1+4+1), u2 -> i 2,8,11 (1+1+4)
    expect(r.body.data.results).toEqual([{ data: { user: 'u0', COUNT: 9 } }, { data: { user: 'u1', COUNT: 6 } }, { data: { user: 'u2', COUNT: 6 } }]);
    const top = await query('web', { breakdowns: ['user'], limit: 1 });
    expect(top.body.data.results).toHaveLength(1);
    expect(top.body.metadata.truncated).toBe(true);
    expect(new Set(top.body.data.series.map((p: { data: { user: string } }) => p.data.user))).toEqual(new Set([top.body.data.results[0].data.user]));
  });

  it('computes calculated fields and uses them as breakdowns and filters', async () => {
    const r = await query('web', {
      calculated_fields: [
        { name: 'speed', expression: 'IF(GTE($duration_ms, 60), "slow", "fast")' },
        { name: 'is_error', expression: 'GTE($status, 500)' },
      ],
      breakdowns: ['speed'],
      filters: [{ column: 'is_error', op: '=', value: false }],
      calculations: [{ op: 'COUNT' }, { op: 'AVG', column: 'duration_ms', name: 'avg' }],
      orders: [{ column: 'speed', order: 'ascending' }],
    });
    // fast: i 0..4 -> durations 10..50 (rates 1,4,1,4,1); slow: i 6..11 without i 5.
    expect(r.body.data.results).toEqual([
      { data: { speed: 'fast', COUNT: 11, avg: (10 + 80 + 30 + 160 + 50) / 11 } },
      { data: { speed: 'slow', COUNT: 15, avg: (70 + 320 + 90 + 400 + 110 + 480) / 15 } },
    ]);
  });

  it('runs every function of the derived-column language in the database', async () => {
    const fields: Record<string, [string, unknown]> = {
      f_if: ['IF(LT($duration_ms, 5), "a", LT($duration_ms, 50), "b", "c")', 'b'],
      f_switch: ['SWITCH($status, "200", "ok", "500", "bad", "other")', 'ok'],
      // No default: the missing branch is a NULL that must take the values' type (found by the fuzz test).
      f_switch_nodefault: ['SWITCH($status, "200", 1)', 1],
      f_coalesce: ['COALESCE($nope, $user)', 'u0'],
      f_eq: ['EQUALS($endpoint, "/b")', true],
      f_in: ['IN($status, 200, 201)', true],
      f_exists: ['EXISTS($nope)', false],
      f_logic: ['AND(NOT(EXISTS($nope)), OR(GT($status, 300), GTE($duration_ms, 10)))', true],
      f_math: ['SUM(SUB(MUL($duration_ms, 3), DIV($status, 4)), MOD($status, 7), MIN(1, 2), MAX(1, 2))', -13],
      f_conv: ['CONCAT(STRING(INT(FLOAT("3.7"))), "-", BOOL("false"), "-", BOOL(1))', '3-false-true'],
      f_str: ['CONCAT(TO_LOWER("AbC"), LENGTH($endpoint), LENGTH("é", "bytes"))', 'abc22'],
      f_pred: ['AND(STARTS_WITH($endpoint, "/"), ENDS_WITH($endpoint, "b"), CONTAINS($user, "0"), LTE(1, 1))', true],
      f_re: ['CONCAT(REG_MATCH($endpoint, `^/[a-z]$`), REG_VALUE($user, `u([0-9]+)`), REG_VALUE($endpoint, `[a-z]`))', 'true0b'],
      f_bucket: ['BUCKET($duration_ms, 25, 20, 100)', 20],
      f_time: ['SUB(EVENT_TIMESTAMP(), UNIX_TIMESTAMP("2026-11-20T10:00:00Z"))', 0],
      f_log: ['LOG10(100)', 2],
    };
    const r = await query('web', {
      calculated_fields: Object.entries(fields).map(([name, [expression]]) => ({ name, expression })),
      breakdowns: Object.keys(fields),
      filters: [{ column: 'user', op: '=', value: 'u0' }, { column: 'duration_ms', op: '=', value: 10 }],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const want = Object.fromEntries(Object.entries(fields).map(([name, [, value]]) => [name, value]));
    expect(r.body.data.results).toEqual([{ data: { ...want, COUNT: 1 } }]);
  });

  it('computes arithmetic past 64-bit integers without failing', async () => {
    const r = await query('web', {
      calculated_fields: [{ name: 'huge', expression: 'MUL($status, 9000000000000000000, 9000000000000000000)' }],
      calculations: [{ op: 'MAX', column: 'huge' }],
    });
    expect(r.status).toBe(200);
    expect(r.body.data.results[0].data['MAX(huge)']).toBe(500 * 9e18 * 9e18);
  });

  it('answers HEATMAP as buckets with weighted counts', async () => {
    const r = await query('web', { calculations: [{ op: 'HEATMAP', column: 'duration_ms' }] });
    const { buckets } = r.body.data.results[0].data['HEATMAP(duration_ms)'];
    expect(buckets[0]).toMatchObject({ lower: 10, count: 1 });
    expect(buckets.at(-1)).toMatchObject({ upper: 120, count: 4 });
    expect(buckets.reduce((s: number, b: { count: number }) => s + b.count, 0)).toBe(30);
  });

  it('computes CONCURRENCY from span start and duration_ms', async () => {
    const r = await call('POST', '/api/v1/query/spans', { start_time: T0, end_time: T0 + 1200, granularity: 60, calculations: [{ op: 'CONCURRENCY' }] });
    const points = r.body.data.series.map((p: { data: { CONCURRENCY: number } }) => p.data.CONCURRENCY);
    // Minute 0: x covers 60 s, y covers 30 s -> 1.5 spans on average; minute 10 and 11: the 2-minute span.
    expect(points.slice(0, 3)).toEqual([1.5, 0, 0]);
    expect(points.slice(10, 13)).toEqual([1, 1, 0]);
    expect(r.body.data.results[0].data.CONCURRENCY).toBeCloseTo((60 + 30 + 120) / 1200, 12);
  });

  it('computes RATE_SUM between consecutive buckets', async () => {
    const r = await query('web', { granularity: 600, calculations: [{ op: 'RATE_SUM', column: 'duration_ms' }] });
    // SUM per 10 minutes: (10 + 20*4), (30 + 40*4), ... -> 90, 190, 290, 390, 490, 590.
    const rates = r.body.data.series.map((p: { data: Record<string, number | null> }) => p.data['RATE_SUM(duration_ms)']);
    expect(rates).toEqual([null, 100, 100, 100, 100, 100]);
    expect(r.body.data.results[0].data['RATE_SUM(duration_ms)']).toBe(100);
  });

  it('queries every dataset of the environment with __all__', async () => {
    const r = await query('__all__', { breakdowns: ['name'], calculations: [{ op: 'COUNT' }] });
    expect(r.body.metadata.datasets.sort()).toEqual(['spans', 'web']);
    expect(r.body.data.results).toEqual([{ data: { name: null, COUNT: 30 } }, { data: { name: 'x', COUNT: 2 } }, { data: { name: 'y', COUNT: 1 } }]);
  });

  it('names the field of a bad spec', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ calculations: [{ op: 'COUNT' }, { op: 'P99' }] }, /^calculations\[1\]\.column: P99 needs a column/],
      [{ calculations: [{ op: 'P99', column: 'endpoint' }] }, /^calculations\[0\]\.column: "endpoint" holds string values/],
      [{ calculations: [{ op: 'NOPE' }] }, /^calculations\[0\]\.op:/],
      [{ limit: 10_001 }, /^limit:/],
      [{ filters: [{ column: 'duration_ms', op: '>', value: 'fast' }] }, /^filters\[0\]\.value: column "duration_ms" holds numbers/],
      [{ filters: [{ column: 'endpoint', op: 'in', value: 'x' }] }, /^filters\[0\]\.value: in needs an array/],
      [{ calculated_fields: [{ name: 'c', expression: 'IF($a, ' }] }, /^calculated_fields\[0\]\.expression: /],
      [{ calculated_fields: [{ name: 'c', expression: 'NOPE($a)' }] }, /^calculated_fields\[0\]\.expression: at 0: unknown function NOPE/],
      [{ orders: [{ op: 'AVG', column: 'duration_ms' }] }, /^orders\[0\]: AVG\(duration_ms\) is not among/],
      [{ granularity: 1, start_time: T0, end_time: T0 + 7200 }, /^granularity: .*at least 8/],
      [{ start_time: T0, end_time: T0 + 100 * 86400 }, /^end_time: the window is .* at most/],
    ];
    for (const [spec, message] of cases) {
      const r = await query('web', spec);
      expect(r.status, JSON.stringify(spec)).toBe(400);
      expect(r.body.error).toMatch(message);
    }
    expect((await query('missing', {})).status).toBe(404);
    expect((await call('POST', '/api/v1/query/web', [1])).body.error).toMatch(/^query: expected a JSON object/);
  });

  it('refuses ingest keys', async () => {
    expect((await call('POST', '/api/v1/query/web', {}, t.ingestKey)).status).toBe(403);
  });
});

describe("Honeycomb's Query Data API", () => {
  it('stores a query, runs it, and answers the result by id', async () => {
    const spec = { start_time: T0, end_time: T0 + 3600, breakdowns: ['endpoint'], calculations: [{ op: 'COUNT' }] };
    const created = await call('POST', '/1/queries/web', spec);
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ id: expect.any(String), ...spec });
    expect((await call('GET', `/1/queries/web/${created.body.id}`)).body).toEqual(created.body);

    const run = await call('POST', '/1/query_results/web', { query_id: created.body.id, disable_series: true });
    expect(run.status).toBe(201);
    expect(run.headers.get('location')).toBe(`/1/query_results/web/${run.body.id}`);
    const got = await call('GET', `/1/query_results/web/${run.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: run.body.id, query_id: created.body.id, complete: true, data: { series: [] } });
    expect(got.body.data.results).toEqual([{ data: { endpoint: '/a', COUNT: 24 } }, { data: { endpoint: '/b', COUNT: 6 } }]);
  });

  it('answers 404 for unknown ids and ids of another dataset', async () => {
    const created = await call('POST', '/1/queries/web', { time_range: 60 });
    expect((await call('POST', '/1/query_results/spans', { query_id: created.body.id })).status).toBe(404);
    expect((await call('GET', '/1/query_results/web/nope')).status).toBe(404);
    expect((await call('POST', '/1/query_results/web', { query_id: 7 })).body.error).toMatch(/^query_id:/);
  });
});

describe('limits', () => {
  it('interrupts a read that outlives its timeout and answers 408', async () => {
    // test/clickhouse/query-api.test.ts runs this file on ClickHouse, whose table of numbers is numbers().
    const slow = process.env.TEND_TEST_EVENTS ? 'SELECT count() AS n FROM numbers(100000000000)' : 'SELECT count(*) AS n FROM range(100000000000) a';
    await expect(readWithin(t.tend.store, slow, [], Date.now() + 200, 200)).rejects.toMatchObject({ status: 408, message: /longer than its 200 ms limit/ });
  });
  it('answers totals only with disable_series', async () => {
    const r = await call('POST', '/api/v1/query/web?disable_series=true', { start_time: T0, end_time: T0 + 3600 });
    expect(r.body.data).toEqual({ series: [], results: [{ data: { COUNT: 30 } }] });
    expect((await call('POST', '/api/v1/query/web?disable_series=maybe', {})).body.error).toMatch(/^disable_series:/);
  });
  it('checks timeout_ms', async () => {
    const r = await call('POST', '/api/v1/query/web?timeout_ms=0', {});
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/^timeout_ms:/);
  });
});
