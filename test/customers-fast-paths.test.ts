// The customers list's fast reads give the answers of the plain ones (issue 15, item 3): the
// window's P99 read from a sample's bound and the largest values (src/customers/quantile.ts)
// is the engine's P99 for any count of events, and the list ranked from the hurt requests
// first, then the top customers' own events (most-affected.ts), is the ranking computed here
// from the events themselves, for every sort and limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CustomerEvents } from '../src/customers/customer-events.js';
import { fastExactQuantile } from '../src/customers/quantile.js';
import { runQuery } from '../src/query/index.js';
import { api } from './support/alerts.js';
import { startTestTend, type TestTend } from './support/tend.js';
import { seededRandom } from './support/random.js';

let t: TestTend;
const T0 = Math.floor(Date.now() / 1000) - 3000;
const WINDOW = { start_time: T0, end_time: T0 + 2000 };

const random = (seed: number) => { const r = seededRandom(seed); return () => r.next(); };

interface Ev { at: number; customer: string; ms: number; status: number; rate: number }

async function send(dataset: string, events: Ev[]): Promise<void> {
  for (let i = 0; i < events.length; i += 1000) {
    const r = await api(t, t.ingestKey, 'POST', `/1/batch/${dataset}`, events.slice(i, i + 1000).map((e) => ({
      time: new Date(e.at * 1000).toISOString(), samplerate: e.rate,
      data: { customer_id: e.customer, duration_ms: e.ms, status_code: e.status },
    })));
    expect(r.status).toBe(200);
  }
}

/** Nearest rank over stored events: the smallest value with at least 99% of them at or below it. */
const p99 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.max(1, Math.ceil(0.99 * values.length)) - 1];

const traffic: Ev[] = [];
const rnd = random(15);
for (let i = 0; i < 4000; i++) {
  // 300 customers of Zipf-like sizes; latencies with ties (whole ms); a few customers fail often.
  const c = Math.floor(300 * rnd() ** 2);
  const failing = c % 37 === 5 ? 0.4 : 0.02;
  traffic.push({ at: T0 + Math.floor(i / 2), customer: `c${String(c).padStart(3, '0')}`, ms: Math.round(20 + 200 * rnd() ** 6), status: rnd() < failing ? 503 : 200, rate: 1 });
}

/** The list as the API documents it, computed from the events. */
function expected(events: Ev[], sort: 'most_affected' | 'errors' | 'slow', limit: number) {
  const threshold = p99(events.map((e) => e.ms));
  const by = new Map<string, { id: string; events: number; errors: number; slow: number }>();
  for (const e of events) {
    const c = by.get(e.customer) ?? { id: e.customer, events: 0, errors: 0, slow: 0 };
    c.events += e.rate;
    if (e.status >= 500) c.errors += e.rate;
    if (e.ms > threshold) c.slow += e.rate;
    by.set(e.customer, c);
  }
  const rows = [...by.values()].map((c) => ({ ...c, error_rate: c.errors / c.events, score: c.errors + c.slow }));
  const key = { most_affected: 'score', errors: 'errors', slow: 'slow' } as const;
  rows.sort((a, b) => b[key[sort]] - a[key[sort]] || (a.id < b.id ? -1 : 1));
  return { threshold, customers: rows.slice(0, limit) };
}

beforeAll(async () => {
  t = await startTestTend();
  await send('traffic', traffic);
}, 60_000);
afterAll(() => t?.close());

describe('the most affected list', () => {
  for (const sort of ['most_affected', 'errors', 'slow'] as const) {
    // 5: enough customers have hurt requests, so the hurt ones are read first; 300: fewer
    // than the limit have, so the one grouped read answers.
    for (const limit of [1, 5, 300]) {
      it(`ranks by ${sort}, top ${limit}, as the events say`, async () => {
        const r = await api(t, t.adminKey, 'GET', `/api/v1/customers?dataset=traffic&start=${WINDOW.start_time}&end=${WINDOW.end_time}&sort=${sort}&limit=${limit}`);
        expect(r.status).toBe(200);
        const want = expected(traffic, sort, limit);
        expect(r.body.slow_threshold_ms).toBe(want.threshold);
        expect(r.body.customers).toHaveLength(want.customers.length);
        r.body.customers.forEach((c: Record<string, number>, i: number) => {
          const w = want.customers[i];
          expect(c).toMatchObject({ id: w.id, events: w.events, errors: w.errors, slow: w.slow, score: w.score });
          expect(c.error_rate).toBeCloseTo(w.error_rate, 12);
        });
      });
    }
  }
});

describe('the list\'s customers\' requests, kept per hour', () => {
  // Five hours of traffic, so the window holds whole hours the counts are kept for.
  const H = 3600;
  const start = (Math.floor(Date.now() / 1000 / H) - 6) * H;
  const hourly: Ev[] = traffic.map((e, i) => ({ ...e, at: start + Math.floor((i * 5 * H) / traffic.length) + 7 }));
  const list = async (from: number, to: number) => {
    const r = await api(t, t.adminKey, 'GET', `/api/v1/customers?dataset=hourly&start=${from}&end=${to}&limit=5`);
    expect(r.status).toBe(200);
    return r.body.customers as { id: string; events: number }[];
  };
  const want = (events: Ev[], from: number, to: number) => expected(events.filter((e) => e.at >= from && e.at < to), 'most_affected', 5).customers.map((c) => ({ id: c.id, events: c.events }));

  it('counts them as the events do, over windows cut mid-hour, after late events and asked again', async () => {
    await send('hourly', hourly);
    const [from, to] = [start + 1234, start + 5 * H - 321];
    expect((await list(from, to)).map((c) => ({ id: c.id, events: c.events }))).toEqual(want(hourly, from, to));
    // Late requests of the top customer into an hour already counted, one of them sampled.
    const top = (await list(from, to))[0].id;
    const late: Ev[] = [{ at: start + H + 5, customer: top, ms: 30, status: 200, rate: 1 }, { at: start + 2 * H + 9, customer: top, ms: 30, status: 200, rate: 10 }];
    await send('hourly', late);
    const after = await list(from, to);
    expect(after.map((c) => ({ id: c.id, events: c.events }))).toEqual(want([...hourly, ...late], from, to));
    expect(after.find((c) => c.id === top)!.events - (await list(from, to)).find((c) => c.id === top)!.events).toBe(0);
    // Asked again, only the hours' counts and the two partial edge hours are read.
    const reads: string[] = [];
    const store = new Proxy(t.tend.store, { get: (target, prop, receiver) => (prop === 'read' ? (sql: string, params: unknown[], o: { timeoutMs: number }) => { reads.push(sql); return target.read(sql, params, o); } : Reflect.get(target, prop, receiver)) });
    const kept = new CustomerEvents(store);
    const env = (await t.tend.auth.environment('production'))!;
    const d = (await t.tend.datasets.find(env.id, 'hourly'))!;
    const columns = await t.tend.store.columns(d.id);
    const ctx = { dataset: 'hourly', datasetId: d.id, fields: { customer_field: 'customer_id', endpoint_field: 'endpoint', build_field: 'build_id', duration_field: 'duration_ms', error: 'GTE($status_code, 500)' },
      columns: new Set(columns.map((c) => c.name)), columnTypes: new Map(columns.map((c) => [c.name, c.type])), errorField: { name: 'e', expression: 'IF(GTE($status_code, 500), 1, 0)' }, options: {} };
    const first = await kept.of(ctx, { start_time: from, end_time: to }, [top], 10_000);
    expect(reads.length).toBeGreaterThan(3);
    reads.length = 0;
    expect(await kept.of(ctx, { start_time: from, end_time: to }, [top], 10_000)).toEqual(first);
    expect(reads).toHaveLength(3);
    expect(first.get(top)).toBe(after.find((c) => c.id === top)!.events);
    // Another window over the same hours, other customers among the top.
    expect((await list(start + 2 * H, start + 5 * H)).map((c) => ({ id: c.id, events: c.events }))).toEqual(want([...hourly, ...late], start + 2 * H, start + 5 * H));
  });
});

describe('the window\'s P99, read fast', () => {
  const env = async () => (await t.tend.auth.environment('production'))!;
  const enginePercentile = async (dataset: string) => {
    const r = await runQuery({ store: t.tend.store, datasets: t.tend.datasets }, await env(), dataset, { ...WINDOW, calculations: [{ op: 'P99', column: 'duration_ms' }] }, { series: false });
    return r.data.results[0].data['P99(duration_ms)'];
  };
  const fast = async (dataset: string) => {
    const d = (await t.tend.datasets.find((await env()).id, dataset))!;
    return fastExactQuantile(t.tend.store, d.id, { name: 'duration_ms', type: 'integer' }, 0.99, WINDOW, 10_000);
  };

  it('is the engine\'s P99 for any count of events, ties included', async () => {
    // 100 and 200 put 0.99 * n on a whole number, where nearest rank and interpolation part.
    const counts = [1, 2, 7, 99, 100, 101, 200, 333];
    const rnd2 = random(99);
    // Distinct values (a shuffled range), so the rank decides the value; and one set of ties.
    const values = (n: number) => Array.from({ length: n }, (_, i) => i * 3).sort(() => rnd2() - 0.5);
    const sets = new Map(counts.map((n) => [`q${n}`, values(n)]));
    sets.set('ties', Array.from({ length: 200 }, () => Math.floor(rnd2() * 20)));
    // Every event in the slices the sample reads (the middle of each eighth of the window), so
    // the fast read answers even for one event: its bound is the sample's P98 of all of them.
    const part = (WINDOW.end_time - WINDOW.start_time) / 8;
    for (const [name, ms] of sets) {
      await send(name, ms.map((x, i) => ({ at: WINDOW.start_time + part * ((i % 8) + 0.5), customer: 'x', ms: x, status: 200, rate: 1 })));
    }
    for (const [name, ms] of sets) {
      const want = await enginePercentile(name);
      expect(want).toBe(p99(ms));
      expect({ name, value: (await fast(name))?.value }).toEqual({ name, value: want });
    }
  });

  it('falls back to the engine when the sample\'s bound is above the P99, or events are sampled', async () => {
    // The sample reads the middle of each eighth of the window: give exactly those events the
    // largest latencies, so the sample's bound is above the true P99.
    const part = (WINDOW.end_time - WINDOW.start_time) / 8;
    const inSlice = (s: number) => Math.abs(((s - WINDOW.start_time) % part) - part / 2) < 0.5;
    const spiky = Array.from({ length: 2000 }, (_, i) => ({ at: T0 + i, customer: `s${i % 7}`, ms: inSlice(T0 + i) ? 10_000 + i : i % 50, status: 200, rate: 1 }));
    expect(spiky.filter((e) => e.ms >= 10_000)).toHaveLength(8);
    await send('spiky', spiky);
    expect(await fast('spiky')).toBeUndefined();
    const r = await api(t, t.adminKey, 'GET', `/api/v1/customers?dataset=spiky&start=${WINDOW.start_time}&end=${WINDOW.end_time}&limit=3`);
    expect(r.body.slow_threshold_ms).toBe(p99(spiky.map((e) => e.ms)));
    expect(r.body.slow_threshold_ms).toBe(await enginePercentile('spiky'));

    await send('sampled', traffic.map((e, i) => ({ ...e, rate: 1 + (i % 3) })));
    expect(await fast('sampled')).toBeUndefined();
  });
});
