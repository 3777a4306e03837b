// POST /api/v1/events/:dataset/search end to end: real HTTP, events sent through /1/batch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestTend, type TestTend } from './support/tend.js';

let t: TestTend;
const T0 = Date.parse('2026-11-20T10:00:00Z') / 1000;
const window = { start_time: T0, end_time: T0 + 3600 };

async function call(route: string, body: unknown, key = t.adminKey) {
  const res = await fetch(`${t.url}${route}`, { method: 'POST', headers: { 'x-honeycomb-team': key, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  t = await startTestTend();
  const batch = Array.from({ length: 30 }, (_, i) => ({
    time: new Date((T0 + i * 60) * 1000 + 250).toISOString(),
    samplerate: i === 0 ? 4 : 1,
    data: { endpoint: i % 3 === 0 ? '/checkout' : '/home', status_code: i % 5 === 0 ? 500 : 200, duration_ms: i + 0.5, ...(i === 7 ? { 'odd "name"': 'x', CamelCase: 'upper' } : {}) },
  }));
  expect((await call('/1/batch/shop', batch, t.ingestKey)).status).toBe(200);
  await call('/1/batch/other', [{ time: new Date((T0 + 5) * 1000).toISOString(), data: { endpoint: '/elsewhere' } }], t.ingestKey);
});
afterAll(async () => t?.close());

describe('POST /api/v1/events/:dataset/search', () => {
  it('returns the matching events newest first with their time, sample rate and fields', async () => {
    const r = await call('/api/v1/events/shop/search', { ...window, filters: [{ column: 'status_code', op: '=', value: 500 }] });
    expect(r.status).toBe(200);
    expect(r.body.events.map((e: { data: { duration_ms: number } }) => e.data.duration_ms)).toEqual([25.5, 20.5, 15.5, 10.5, 5.5, 0.5]);
    expect(r.body.events.at(-1)).toEqual({ time: '2026-11-20T10:00:00.250000Z', samplerate: 4, data: { endpoint: '/checkout', status_code: 500, duration_ms: 0.5 } });
    expect(r.body.meta).toMatchObject({ start_time: T0, end_time: T0 + 3600, order: 'descending', limit: 100, more: false });
  });

  it('orders oldest first, limits, says when there are more, and returns chosen columns and calculated fields', async () => {
    const r = await call('/api/v1/events/shop/search', {
      ...window,
      filters: [{ column: 'endpoint', op: 'starts-with', value: '/check' }],
      calculated_fields: [{ name: 'slow', expression: 'GT($duration_ms, 5)' }],
      columns: ['duration_ms', 'slow', 'missing'],
      order: 'ascending',
      limit: 3,
    });
    expect(r.body.events.map((e: { data: unknown }) => e.data)).toEqual([
      { duration_ms: 0.5, slow: false },
      { duration_ms: 3.5, slow: false },
      { duration_ms: 6.5, slow: true },
    ]);
    expect(r.body.meta.more).toBe(true);
  });

  it('keeps odd field names intact, reads __all__, and finds nothing outside the window', async () => {
    const odd = await call('/api/v1/events/shop/search', { ...window, filters: [{ column: 'odd "name"', op: 'exists' }] });
    expect(odd.body.events).toHaveLength(1);
    expect(odd.body.events[0].data).toMatchObject({ 'odd "name"': 'x', CamelCase: 'upper' });
    const all = await call('/api/v1/events/__all__/search', { start_time: T0, end_time: T0 + 30 });
    expect(all.body.events.map((e: { data: { endpoint: string } }) => e.data.endpoint).sort()).toEqual(['/checkout', '/elsewhere']);
    const none = await call('/api/v1/events/shop/search', { start_time: T0 - 7200, end_time: T0 - 3600 });
    expect(none.body).toMatchObject({ events: [], meta: { more: false } });
  });

  it('answers bad requests with a 4xx naming the field', async () => {
    const cases: [unknown, RegExp][] = [
      [{ ...window, limit: 5000 }, /^limit:/],
      [{ ...window, order: 'sideways' }, /^order:/],
      [{ ...window, filters: [{ column: 'status_code', op: '>', value: 'high' }] }, /^filters\[0\]\.value: column "status_code" holds numbers/],
      [{ ...window, filters: [{ column: 'a', op: 'in' }] }, /^filters\[0\]\.value: in needs a value/],
      [{ time_range: 365 * 86400 }, /^time_range: .*at most/],
      [[1, 2], /^search: expected a JSON object/],
    ];
    for (const [body, error] of cases) {
      const r = await call('/api/v1/events/shop/search', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error).toMatch(error);
    }
    expect((await call('/api/v1/events/nope/search', window)).status).toBe(404);
    expect((await call('/api/v1/events/shop/search', window, t.ingestKey)).status).toBe(403);
  });
});
