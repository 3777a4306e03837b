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
    expect(list.map((x: { name: string }) => x.name)).toEqual(['checkout-latency']);
  });
});
