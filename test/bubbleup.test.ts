// POST /api/v1/bubbleup/:dataset end to end: real HTTP, events sent through /1/batch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestTend, type TestTend } from './support/tend.js';

let t: TestTend;
const T0 = Date.parse('2026-11-20T10:00:00Z') / 1000;

async function call(route: string, body: unknown, key = t.adminKey) {
  const res = await fetch(`${t.url}${route}`, { method: 'POST', headers: { 'x-honeycomb-team': key, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

// The last ten minutes are an incident: build_9 on eu hosts returns 500s slowly.
const batch = Array.from({ length: 600 }, (_, i) => {
  const incident = i >= 500 && i % 2 === 0;
  return {
    time: new Date((T0 + i * 6) * 1000).toISOString(),
    data: {
      build_id: incident ? 'build_9' : `build_${i % 3}`,
      region: incident ? 'eu' : ['us', 'eu', 'ap'][i % 3],
      status_code: incident ? 500 : 200,
      duration_ms: incident ? 900 + i : 20 + (i % 50),
      customer_id: `c${i % 7}`,
    },
  };
});

beforeAll(async () => {
  t = await startTestTend();
  expect((await call('/1/batch/api', batch, t.ingestKey)).status).toBe(200);
});
afterAll(async () => t?.close());

describe('POST /api/v1/bubbleup/:dataset', () => {
  it('ranks what sets a heatmap selection (time range + latency range) apart', async () => {
    const r = await call('/api/v1/bubbleup/api', {
      baseline: { start_time: T0, end_time: T0 + 3600 },
      selection: { start_time: T0 + 3000, end_time: T0 + 3600, column: 'duration_ms', min: 800 },
    });
    expect(r.status).toBe(200);
    expect(r.body.selection.count).toBe(50);
    expect(r.body.baseline.count).toBe(550);
    const ranked = r.body.columns.map((c: { column: string }) => c.column);
    expect(ranked.slice(0, 3).sort()).toEqual(['build_id', 'duration_ms', 'status_code']);
    expect(ranked.at(-1)).toBe('customer_id');
    const build = r.body.columns.find((c: { column: string }) => c.column === 'build_id');
    expect(build.score).toBe(1);
    expect(build.values[0]).toEqual({ value: 'build_9', selection: 1, baseline: 0 });
    const outside = batch.filter((e) => e.data.status_code === 200);
    const euOutside = outside.filter((e) => e.data.region === 'eu').length / outside.length;
    const region = r.body.columns.find((c: { column: string }) => c.column === 'region');
    expect(region.values.find((v: { value: string }) => v.value === 'eu')).toEqual({ value: 'eu', selection: 1, baseline: expect.closeTo(euOutside, 5) });
    expect(r.body.meta).toMatchObject({ statistic: 'total_variation_distance', columns_examined: 5 });
  });

  it('takes a filter selection and answers bad input with a 4xx naming the field', async () => {
    const r = await call('/api/v1/bubbleup/api', { baseline: { time_range: 7200, end_time: T0 + 3600 }, selection: { filters: [{ column: 'status_code', op: '=', value: 500 }] }, columns: ['region'] });
    expect(r.status).toBe(200);
    expect(r.body.columns.map((c: { column: string }) => c.column)).toEqual(['region']);
    const bad = await call('/api/v1/bubbleup/api', { selection: { column: 'region', min: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^selection.column: "region" holds string values/);
    const none = await call('/api/v1/bubbleup/api', { selection: {} });
    expect(none.status).toBe(400);
    expect(none.body.error).toMatch(/^selection: give/);
  });
});
