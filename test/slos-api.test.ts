// SLOs end to end over HTTP: declared in tend.yaml and through Honeycomb's SLO and derived
// column API shapes, evaluated through the query engine on a clock the test moves, answered
// by /api/v1/slos with every number, and recorded in tend.slos.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTend } from './support/slos.js';
import { startTestTend, tempDataDir, type TestTend } from './support/tend.js';

let t: TestTend;
const MIN = 60_000;
// A clock in the past (alerts treat an end time after the real now as still firing), whole minute.
const T0 = Math.floor((Date.now() - 2 * 86_400_000) / MIN) * MIN;

const YAML = `
environment: production
# The test moves its own clock; the scheduler's rounds (on the real one) stay out of the way.
slo_interval: 1d
derived_columns:
  - { dataset: shop, alias: ok_sli, expression: 'LT($status, 500)' }
slos:
  - name: checkout-latency
    dataset: checkout
    sli: 'IF(EQUALS($endpoint, "/health"), null, LT($duration_ms, 300))'
    target: 99.5
    period_days: 30
    labels: { service: checkout }
    burn_alerts:
      - { kind: burn_rate, preset: sre }
      - { kind: exhaustion_time, minutes: 240, lookback_minutes: 60 }
  - name: checkout-everywhere
    datasets: [checkout, checkout-eu]
    sli: 'LT($duration_ms, 300)'
    target: 99
    period_days: 7
`;

const api = (method: string, p: string, body?: unknown) => callTend(t.url, t.adminKey, method, p, body);

const send = (dataset: string, events: { at: number; data: Record<string, unknown>; samplerate?: number }[]) =>
  api('POST', `/1/batch/${dataset}`, events.map((e) => ({ time: new Date(e.at).toISOString(), samplerate: e.samplerate, data: e.data })));

beforeAll(async () => {
  const dir = tempDataDir('slos');
  const file = path.join(dir, 'tend.yaml');
  fs.writeFileSync(file, YAML);
  t = await startTestTend({ config: file });
}, 30_000);

afterAll(() => t?.close());

describe('SLOs over HTTP', () => {
  it('counts good and eligible events (weighted), skips null verdicts, and derives budget and burn rates', async () => {
    const r = await send('checkout', [
      { at: T0 - 10 * MIN, data: { endpoint: '/pay', duration_ms: 100 }, samplerate: 10 },
      { at: T0 - 10 * MIN, data: { endpoint: '/pay', duration_ms: 900 } },
      { at: T0 - 3 * MIN, data: { endpoint: '/pay', duration_ms: 500 }, samplerate: 2 },
      { at: T0 - 3 * MIN, data: { endpoint: '/health', duration_ms: 900 } },
      { at: T0 - 40 * 86_400_000, data: { endpoint: '/pay', duration_ms: 900 } },
    ]);
    expect(r.status).toBe(200);
    await t.tend.slos.service.evaluateNow(undefined, T0);
    const s = (await api('GET', '/api/v1/slos/checkout-latency')).body;
    expect(s.error).toBeNull();
    expect([s.eligible, s.good]).toEqual([13, 10]);
    expect(s.compliance).toBeCloseTo(10 / 13, 12);
    expect(s.budget).toBeCloseTo(0.005 * 13, 12);
    expect(s.budget_remaining).toBeCloseTo((0.065 - 3) / 0.065, 9);
    expect(s.burn_rates['5m']).toBeCloseTo(1 / 0.005, 9);
    expect(s.burn_rates['30m']).toBeCloseTo(3 / 13 / 0.005, 9);
    expect(s.exhaustion_at).toBe(new Date(T0).toISOString());
    expect(s.history).toHaveLength(30);
    expect(s.history.at(-1).eligible).toBe(13);
    const list = (await api('GET', '/api/v1/slos')).body.slos;
    expect(list.map((x: { name: string }) => x.name)).toEqual(['checkout-everywhere', 'checkout-latency']);
  });

  it('sums an SLO over several datasets', async () => {
    await send('checkout-eu', [{ at: T0 - 2 * MIN, data: { duration_ms: 100 }, samplerate: 7 }, { at: T0 - 2 * MIN, data: { duration_ms: 400 } }]);
    await t.tend.slos.service.evaluateNow(undefined, T0);
    const s = (await api('GET', '/api/v1/slos/checkout-everywhere')).body;
    // checkout: 14 events, 10 fast; checkout-eu: 8 events, 7 fast.
    expect([s.eligible, s.good, s.datasets]).toEqual([22, 17, ['checkout', 'checkout-eu']]);
  });

  it('records every round in tend.slos, queryable like any dataset', async () => {
    await t.tend.slos.service.evaluateNow(undefined, T0 + 1000);
    await t.tend.ingest.pipeline.idle();
    const q = await api('POST', '/api/v1/query/tend.slos', {
      start_time: Math.floor(T0 / 1000) - 60, end_time: Math.floor(T0 / 1000) + 60,
      calculations: [{ op: 'MAX', column: 'eligible' }, { op: 'MAX', column: 'good' }, { op: 'MAX', column: 'burn_rate.5m' }, { op: 'COUNT' }],
      filters: [{ column: 'slo.name', op: '=', value: 'checkout-latency' }],
    });
    expect(q.status).toBe(200);
    const row = q.body.data.results[0].data;
    // One event per round: the two rounds above and this one.
    expect([row['MAX(eligible)'], row['MAX(good)'], row.COUNT]).toEqual([13, 10, 3]);
    expect(row['MAX(burn_rate.5m)']).toBeCloseTo(200, 9);
  });

  it('takes Honeycomb SLO and derived column definitions, and refuses bad ones naming the field', async () => {
    const bad = await api('POST', '/1/derived_columns/checkout', { alias: 'fast', expression: 'LT($duration_ms, ' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^expression: /);
    const dc = await api('POST', '/1/derived_columns/checkout', { alias: 'fast', expression: 'LT($duration_ms, 300)', description: 'under 300 ms' });
    expect(dc.status).toBe(201);
    expect(dc.body).toMatchObject({ alias: 'fast', expression: 'LT($duration_ms, 300)', description: 'under 300 ms' });

    const missing = await api('POST', '/1/slos/checkout', { name: 'x', sli: { alias: 'nope' }, time_period_days: 7, target_per_million: 990_000 });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatch(/^sli\.alias: no derived column "nope"/);
    const noTarget = await api('POST', '/1/slos/checkout', { name: 'x', sli: { alias: 'fast' }, time_period_days: 7 });
    expect(noTarget.status).toBe(400);
    expect(noTarget.body.error).toMatch(/^target_per_million: /);

    const made = await api('POST', '/1/slos/checkout', { name: 'fast-enough', description: 'most requests fast', sli: { alias: 'fast' }, time_period_days: 7, target_per_million: 990_000 });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ name: 'fast-enough', sli: { alias: 'fast' }, time_period_days: 7, target_per_million: 990_000, dataset_slugs: ['checkout'] });
    await t.tend.slos.service.evaluateNow(undefined, T0);
    const detailed = await api('GET', `/1/slos/checkout/${made.body.id}?detailed=true`);
    // 14 events, 10 fast (the slow /health one counts here): Honeycomb's percentages.
    expect(detailed.body.compliance).toBeCloseTo((10 / 14) * 100, 3);
    const tend = await api('GET', '/api/v1/slos/fast-enough');
    expect([tend.body.eligible, tend.body.good, tend.body.target]).toEqual([14, 10, 99]);

    expect((await api('DELETE', `/1/derived_columns/checkout/${dc.body.id}`)).status).toBe(409);
    const fromFile = (await api('GET', '/1/slos/checkout')).body.find((x: { name: string }) => x.name === 'checkout-latency');
    expect((await api('PUT', `/1/slos/checkout/${fromFile.id}`, { name: 'y', sli: { alias: 'fast' }, time_period_days: 7, target_per_million: 990_000 })).status).toBe(409);
    const changed = await api('PUT', `/1/slos/checkout/${made.body.id}`, { name: 'fast-enough', sli: { alias: 'fast' }, time_period_days: 30, target_per_million: 995_000 });
    expect(changed.body.target_per_million).toBe(995_000);
    expect((await api('DELETE', `/1/slos/checkout/${made.body.id}`)).status).toBe(204);
    expect((await api('GET', '/api/v1/slos/fast-enough')).status).toBe(404);
    expect((await api('DELETE', `/1/derived_columns/checkout/${dc.body.id}`)).status).toBe(204);
  });
});
