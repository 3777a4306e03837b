// Everyone's figures on a customer's page come from per-minute rollups kept in memory
// (src/customers/everyone.ts): they must be what one query over the events answers (the
// engine's weighted histogram percentiles), in total and per bucket, for windows that do not
// start on a minute, after events arrive late into hours already rolled up, and after
// retention drops a day.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../src/query/index.js';
import { api } from './support/alerts.js';
import { startTestTend, type TestTend } from './support/tend.js';
import { seededRandom } from './support/random.js';

let t: TestTend;
const onClickHouse = Boolean(process.env.TEND_TEST_EVENTS);
const HOUR = 3600;
const nowS = Math.floor(Date.now() / 1000);
// Yesterday's last hours and today's first (UTC), so retention can drop a day of the window.
const midnight = Math.floor((nowS - 3 * HOUR) / 86_400) * 86_400;
const T0 = midnight - 20 * HOUR;

const random = (seed: number) => { const r = seededRandom(seed); return () => r.next(); };
const rnd = random(7);

function events(from: number, to: number, count: number) {
  return Array.from({ length: count }, () => ({
    time: new Date((from + rnd() * (to - from)) * 1000).toISOString(),
    samplerate: 1 + Math.floor(rnd() * 3),
    data: {
      customer_id: `c${Math.floor(rnd() * 20)}`,
      // Latency sometimes missing, sometimes zero; whole and fractional milliseconds.
      ...(rnd() < 0.05 ? {} : { duration_ms: rnd() < 0.02 ? 0 : Math.round(5 + 500 * rnd() ** 4) / (rnd() < 0.5 ? 1 : 10) }),
      status_code: rnd() < 0.08 ? 503 : 200,
    },
  }));
}

async function send(batch: object[]) {
  for (let i = 0; i < batch.length; i += 1000) {
    const r = await api(t, t.ingestKey, 'POST', '/1/batch/shop', batch.slice(i, i + 1000));
    expect(r.status).toBe(200);
  }
}

beforeAll(async () => {
  t = await startTestTend();
  await send(events(T0, midnight + 2 * HOUR, 6000));
}, 60_000);
afterAll(() => t?.close());

/** The page's everyone against one query over the events with the engine's histogram percentiles. */
async function expectEveryoneAsTheEvents(start: number, end: number, customer = 'c3') {
  const page = await api(t, t.adminKey, 'GET', `/api/v1/customers/${customer}?dataset=shop&start=${start}&end=${end}`);
  expect(page.status).toBe(200);
  const env = (await t.tend.auth.environment('production'))!;
  const r = await runQuery({ store: t.tend.store, datasets: t.tend.datasets }, env, 'shop', {
    start_time: start, end_time: end,
    calculated_fields: [{ name: 'e', expression: 'IF(GTE($status_code, 500), 1, 0)' }],
    calculations: [{ op: 'COUNT', name: 'events' }, { op: 'SUM', column: 'e', name: 'errors' }, ...(['P50', 'P95', 'P99'] as const).map((op) => ({ op, column: 'duration_ms', name: op.toLowerCase() }))],
  }, { approximatePercentiles: true });
  expect(page.body.granularity % 60).toBe(0);
  const same = (got: Record<string, number | null>, want: Record<string, unknown>) => {
    expect(got.events).toBe(Number(want.events ?? 0));
    expect(got.errors).toBe(Number(want.errors ?? 0));
    for (const p of ['p50', 'p95', 'p99']) {
      if (want[p] === null || want[p] === undefined) expect(got[p]).toBeNull();
      // DuckDB's engine reads percentiles from the same histogram: the same values. ClickHouse's
      // weighs exact ones: the histogram's are within its 1%.
      else if (onClickHouse) expect(Math.abs(Number(got[p]) / Number(want[p]) - 1)).toBeLessThanOrEqual(0.0101);
      else expect(got[p]).toBeCloseTo(Number(want[p]), 9);
    }
  };
  same(page.body.all, r.data.results[0].data);
  expect(page.body.series.all.map((p: { time: string }) => p.time)).toEqual(r.data.series.map((p) => p.time));
  page.body.series.all.forEach((p: { rate: number; error_rate: number; p50: number | null; p95: number | null; p99: number | null }, i: number) => {
    const want = r.data.series[i].data;
    const ev = p.rate * page.body.granularity;
    same({ events: Math.round(ev), errors: Math.round(p.error_rate * ev), p50: p.p50, p95: p.p95, p99: p.p99 }, want);
  });
  return page.body;
}

describe('everyone\'s figures on a customer\'s page', () => {
  it('are the events\' over a window that starts and ends mid-minute', async () => {
    await expectEveryoneAsTheEvents(T0 + 17, midnight + 2 * HOUR - 23);
    // Asked again, from the rollups the first page kept.
    await expectEveryoneAsTheEvents(T0 + 17, midnight + 2 * HOUR - 23);
    await expectEveryoneAsTheEvents(T0 + 2 * HOUR + 31, midnight + HOUR + 5);
    // A customer with no request in the window still sees everyone's series.
    const nobody = await expectEveryoneAsTheEvents(T0 + 17, midnight + 2 * HOUR - 23, 'nobody');
    expect(nobody.events).toBe(0);
  });

  it('count events that arrive late into hours already rolled up', async () => {
    const before = await expectEveryoneAsTheEvents(T0, midnight + 2 * HOUR);
    const late = events(T0 + 3 * HOUR, T0 + 4 * HOUR, 37);
    await send(late);
    const after = await expectEveryoneAsTheEvents(T0, midnight + 2 * HOUR);
    expect(after.all.events - before.all.events).toBe(late.reduce((s, e) => s + e.samplerate, 0));
  });

  it('leave out a day retention dropped', async () => {
    const before = await expectEveryoneAsTheEvents(T0, midnight + 2 * HOUR);
    expect(await t.tend.store.dropBefore(midnight * 1e6)).toBeGreaterThan(0);
    const after = await expectEveryoneAsTheEvents(T0, midnight + 2 * HOUR);
    expect(after.all.events).toBeLessThan(before.all.events);
  });
});
