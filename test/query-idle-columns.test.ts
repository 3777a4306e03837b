// Issue 18 item 6: over `__all__`, a column that only an idle dataset has (no events in the
// window) follows the rule for unknown columns on every query-like route: a filter on it
// matches nothing, a breakdown on it is one null group, and the answer is 200. Values the
// engine cannot compute from what the request asks for are a 400 naming the field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestTend, type TestTend } from './support/tend.js';

let t: TestTend;
const NOW = Math.floor(Date.now() / 1000);

async function post(route: string, body: unknown, key = t.adminKey) {
  const res = await fetch(`${t.url}${route}`, { method: 'POST', headers: { 'x-honeycomb-team': key, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  t = await startTestTend();
  const old = [{ time: new Date((NOW - 3 * 86_400) * 1000).toISOString(), data: { legacy: 'x', legacy_n: 5, shared: 1 } }];
  const recent = Array.from({ length: 6 }, (_, i) => ({ time: new Date((NOW - 600 + i) * 1000).toISOString(), data: { endpoint: i % 2 ? '/a' : '/b', shared: i } }));
  expect((await post('/1/batch/old', old, t.ingestKey)).status).toBe(200);
  expect((await post('/1/batch/recent', recent, t.ingestKey)).status).toBe(200);
  // Outside the two-hour window of the tests above.
  expect((await post('/1/batch/numbers', [{ time: new Date((NOW - 3 * 3600) * 1000).toISOString(), data: { duration_ms: 1e308, d: 1e308 } }], t.ingestKey)).status).toBe(200);
});
afterAll(async () => t?.close());

const window = { time_range: 7200 };

describe('a column only an idle dataset has, over __all__', () => {
  it('filters on it match nothing (negative filters match everything) and a breakdown on it is one null group', async () => {
    const matchNone = await post('/api/v1/query/__all__', { ...window, calculations: [{ op: 'COUNT' }], filters: [{ column: 'legacy', op: '=', value: 'x' }] });
    expect(matchNone.status).toBe(200);
    expect(matchNone.body.data.results).toEqual([{ data: { COUNT: 0 } }]);

    const negative = await post('/api/v1/query/__all__', { ...window, calculations: [{ op: 'COUNT' }], filters: [{ column: 'legacy', op: '!=', value: 'x' }] });
    expect(negative.status).toBe(200);
    expect(negative.body.data.results).toEqual([{ data: { COUNT: 6 } }]);

    const grouped = await post('/api/v1/query/__all__', { ...window, calculations: [{ op: 'COUNT' }, { op: 'SUM', column: 'legacy_n' }], breakdowns: ['legacy'] });
    expect(grouped.status).toBe(200);
    expect(grouped.body.data.results).toEqual([{ data: { legacy: null, COUNT: 6, 'SUM(legacy_n)': 0 } }]);
  });

  it('answers event search with the matching events and no value for the idle column', async () => {
    const none = await post('/api/v1/events/__all__/search', { ...window, filters: [{ column: 'legacy', op: 'exists' }] });
    expect(none.status).toBe(200);
    expect(none.body.events).toEqual([]);
    const all = await post('/api/v1/events/__all__/search', { ...window, columns: ['legacy', 'endpoint'], filters: [{ column: 'legacy', op: 'does-not-exist' }] });
    expect(all.status).toBe(200);
    expect(all.body.events).toHaveLength(6);
    expect(all.body.events.every((e: { data: Record<string, unknown> }) => !('legacy' in e.data) && typeof e.data.endpoint === 'string')).toBe(true);
  });

  it('answers BubbleUp, with the idle column all missing on both sides', async () => {
    const r = await post('/api/v1/bubbleup/__all__', { baseline: window, selection: { filters: [{ column: 'endpoint', op: '=', value: '/a' }] }, columns: ['legacy', 'endpoint'] });
    expect(r.status).toBe(200);
    expect(r.body.selection.count).toBe(3);
    expect(r.body.baseline.count).toBe(3);
    const legacy = r.body.columns.find((c: { column: string }) => c.column === 'legacy');
    expect(legacy).toMatchObject({ score: 0, values: [{ value: null, selection: 1, baseline: 1 }] });
  });

  it('reads a column typed differently in two datasets as text in both, also when one is idle', async () => {
    expect((await post('/1/batch/typed', [{ time: new Date((NOW - 4 * 86_400) * 1000).toISOString(), data: { shared: 'text' } }], t.ingestKey)).status).toBe(200);
    const r = await post('/api/v1/query/__all__', { ...window, calculations: [{ op: 'COUNT' }], filters: [{ column: 'shared', op: 'contains', value: '3' }] });
    expect(r.status).toBe(200);
    expect(r.body.data.results).toEqual([{ data: { COUNT: 1 } }]);
  });
});

describe('arithmetic on a column no dataset has in the window', () => {
  it('is null (found by npm run fuzz: MOD of an unknown column was a 500)', async () => {
    for (const expression of ['MOD($nowhere, 3)', 'SUM($legacy_n, 1)', 'MOD(IF($nowhere, 1), 2)', 'LOG10($nowhere)', 'BUCKET($legacy_n, 5)']) {
      const r = await post('/api/v1/query/__all__', { ...window, calculated_fields: [{ name: 'x', expression }], calculations: [{ op: 'COUNT' }, { op: 'SUM', column: 'x' }], breakdowns: ['x'] });
      expect(r.status, `${expression}: ${JSON.stringify(r.body)}`).toBe(200);
      expect(r.body.data.results).toEqual([{ data: { x: null, COUNT: 6, 'SUM(x)': 0 } }]);
    }
  });
});

describe('values the engine cannot compute', () => {
  it('answer 400 naming the field that asked for them', async () => {
    // CONCURRENCY turns each span's duration into microseconds: 1e308 ms has no 64-bit value.
    const stored = await post('/api/v1/query/__all__', { time_range: 4 * 3600, calculations: [{ op: 'CONCURRENCY' }] });
    expect(stored.status).toBe(400);
    expect(stored.body.error).toMatch(/^calculations: the database could not compute a value this request asks for: /);
    const derived = await post('/api/v1/query/numbers', { time_range: 4 * 3600, calculated_fields: [{ name: 'duration_ms', expression: 'MUL($d, 10)' }], calculations: [{ op: 'CONCURRENCY' }] });
    expect(derived.status).toBe(400);
    expect(derived.body.error).toMatch(/^calculated_fields: /);
  });
});
