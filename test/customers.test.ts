// A page per customer and the customers hurt most (issue 15, item 3), over a real server fed
// through the Honeycomb batch API: counts weighted by sample rate, slow requests judged by the
// SLO's latency objective (or the window's P99 without one), endpoints with their error rates,
// the slowest and failing requests, the incidents that touched a customer, 400s naming fields.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startAlertsTend, type AlertsTend } from './support/alerts.js';
import { runTend } from './support/cli.js';

let t: AlertsTend;
const YAML = `
teams: [{ name: payments, members: [ana@example.com] }]
services:
  - { name: checkout, owner: payments, datasets: [checkout] }
slos:
  - { name: checkout-latency, dataset: checkout, sli: 'LT($duration_ms, 1000)', target: 99 }
datasets:
  shop: { customer_field: account, endpoint_field: route, error: 'EQUALS($outcome, "failed")' }
`;

interface Ev { customer: string; endpoint: string; ms: number; status: number; rate?: number }
const events: Ev[] = [];
// acme: 100 requests, /pay 60 of which 10 fail, /cart 40; 5 of the /cart ones take 2 s.
for (let i = 0; i < 60; i++) events.push({ customer: 'acme', endpoint: '/pay', ms: 50, status: i < 10 ? 503 : 200 });
for (let i = 0; i < 40; i++) events.push({ customer: 'acme', endpoint: '/cart', ms: i < 5 ? 2000 : 30, status: 200 });
// beta: 50 stored events standing for 4 each, none failing.
for (let i = 0; i < 50; i++) events.push({ customer: 'beta', endpoint: '/cart', ms: 40, status: 200, rate: 4 });
// gamma: 30 requests on /pay, 16 failing.
for (let i = 0; i < 30; i++) events.push({ customer: 'gamma', endpoint: '/pay', ms: 100, status: i < 16 ? 500 : 200 });

const nowS = Math.floor(Date.now() / 1000);
async function send(dataset: string, batch: object[]) {
  const r = await api(t, t.ingestKey, 'POST', `/1/batch/${dataset}`, batch);
  expect(r.status).toBe(200);
}

beforeAll(async () => {
  t = await startAlertsTend(YAML);
  await send('checkout', events.map((e, i) => ({
    time: new Date((nowS - 600 + i) * 1000).toISOString(), samplerate: e.rate ?? 1,
    data: { customer_id: e.customer, endpoint: e.endpoint, duration_ms: e.ms, status_code: e.status, trace_id: `t${i}` },
  })));
  // A dataset with its own field names (tend.yaml datasets:) and no SLO: slow is past its P99.
  await send('shop', Array.from({ length: 100 }, (_, i) => ({
    time: new Date((nowS - 300 + i) * 1000).toISOString(),
    data: { account: i < 50 ? 'one' : 'two', route: '/x', duration_ms: i + 1, outcome: i % 10 === 0 ? 'failed' : 'ok' },
  })));
}, 30_000);
afterAll(() => t?.close());

describe('most affected customers', () => {
  it('ranks by errors plus requests past the SLO objective, weighted by sample rate', async () => {
    const r = await api(t, t.adminKey, 'GET', '/api/v1/customers?dataset=checkout&window=1h&sort=most_affected');
    expect(r.status).toBe(200);
    expect(r.body.slow_threshold_ms).toBe(1000);
    expect(r.body.slow_threshold_source).toBe('slo');
    expect(r.body.customers).toEqual([
      { id: 'gamma', events: 30, errors: 16, error_rate: 16 / 30, slow: 0, score: 16 },
      { id: 'acme', events: 100, errors: 10, error_rate: 0.1, slow: 5, score: 15 },
      { id: 'beta', events: 200, errors: 0, error_rate: 0, slow: 0, score: 0 },
    ]);
    const byEvents = await api(t, t.adminKey, 'GET', '/api/v1/customers?dataset=checkout&window=1h&sort=events&limit=1');
    expect(byEvents.body.customers.map((c: { id: string }) => c.id)).toEqual(['beta']);
  });

  it('uses the dataset\'s fields and its P99 when no SLO states an objective', async () => {
    const p99 = await api(t, t.adminKey, 'POST', '/api/v1/query/shop', { time_range: 3600, calculations: [{ op: 'P99', column: 'duration_ms' }] });
    const threshold = p99.body.data.results[0].data['P99(duration_ms)'];
    const r = await api(t, t.adminKey, 'GET', '/api/v1/customers?dataset=shop&window=1h');
    expect(r.body).toMatchObject({ customer_field: 'account', slow_threshold_ms: threshold, slow_threshold_source: 'p99' });
    const two = r.body.customers.find((c: { id: string }) => c.id === 'two');
    expect(two).toEqual({ id: 'two', events: 50, errors: 5, error_rate: 0.1, slow: 100 - threshold, score: 5 + 100 - threshold });
  });

  it('names the field at fault', async () => {
    const bad = async (q: string) => (await api(t, t.adminKey, 'GET', `/api/v1/customers${q}`)).body.error as string;
    expect(await bad('?window=1h')).toMatch(/dataset/);
    expect(await bad('?dataset=checkout&window=soon')).toMatch(/^window/);
    expect(await bad('?dataset=checkout&sort=loudest')).toMatch(/sort/);
    expect(await bad('?dataset=checkout&start=yesterday&end=now')).toMatch(/^start/);
    expect((await api(t, t.adminKey, 'GET', '/api/v1/customers?dataset=nope')).status).toBe(404);
  });
});

describe('a customer\'s page', () => {
  it('answers its own numbers, endpoints, slowest and failing requests against everyone', async () => {
    const r = await api(t, t.adminKey, 'GET', '/api/v1/customers/acme?dataset=checkout&window=1h');
    expect(r.status).toBe(200);
    const p = r.body;
    expect(p).toMatchObject({ id: 'acme', events: 100, errors: 10, error_rate: 0.1 });
    expect(p.all).toMatchObject({ events: 330, errors: 26 });
    // Everyone's percentiles come from the histogram: within 1% of the exact ones.
    const exact = await api(t, t.adminKey, 'POST', '/api/v1/query/checkout', { time_range: 3600, calculations: [{ op: 'P95', column: 'duration_ms' }] });
    expect(Math.abs(p.all.p95 / exact.body.data.results[0].data['P95(duration_ms)'] - 1)).toBeLessThanOrEqual(0.01);
    expect(p.share).toBeCloseTo(100 / 330, 10);
    expect(p.endpoints).toEqual([
      { endpoint: '/pay', events: 60, errors: 10, error_rate: 10 / 60, p95: 50 },
      { endpoint: '/cart', events: 40, errors: 0, error_rate: 0, p95: 2000 },
    ]);
    expect(p.slowest.slice(0, 5).map((e: { data: { duration_ms: number } }) => e.data.duration_ms)).toEqual([2000, 2000, 2000, 2000, 2000]);
    expect(p.slowest[5].data.duration_ms).toBe(50);
    expect(p.failing).toHaveLength(10);
    expect(p.failing.every((e: { data: { status_code: number; customer_id: string } }) => e.data.status_code === 503 && e.data.customer_id === 'acme')).toBe(true);
    // Over time: the buckets sum to the totals, the customer's and everyone's.
    const sum = (pts: { rate: number }[]) => pts.reduce((s, x) => s + x.rate * p.granularity, 0);
    expect(sum(p.series.customer)).toBeCloseTo(100, 6);
    expect(sum(p.series.all)).toBeCloseTo(330, 6);
    expect(p.series.customer.length).toBe(p.series.all.length);
  });

  it('lists the incidents of the owning service that were open while it sent requests', async () => {
    const made = await api(t, t.adminKey, 'POST', '/api/v1/incidents', { service: 'checkout', title: 'payments failing', severity: 'SEV2' });
    expect(made.status).toBe(201);
    // The incident opened now: the customer's requests while it was open are those from now on.
    await send('checkout', [{ time: new Date().toISOString(), data: { customer_id: 'acme', endpoint: '/pay', duration_ms: 60, status_code: 500 } }]);
    const p = (await api(t, t.adminKey, 'GET', '/api/v1/customers/acme?dataset=checkout&window=1h')).body;
    expect(p.incidents).toHaveLength(1);
    expect(p.incidents[0]).toMatchObject({ id: made.body.id, service: 'checkout', title: 'payments failing', events: 1, errors: 1 });
    const g = (await api(t, t.adminKey, 'GET', '/api/v1/customers/gamma?dataset=checkout&window=1h')).body;
    expect(g.incidents).toEqual([]);
  });
});

describe('tend customer and tend customers', () => {
  const cli = (...args: string[]) => runTend([...args, '--url', t.url, '--key', t.adminKey]);

  it('prints the page and the list, and --json as the API answers', async () => {
    const page = await cli('customer', 'acme', '--dataset', 'checkout', '--window', '1h');
    expect(page.code).toBe(0);
    expect(page.stdout).toMatch(/customer acme in checkout/);
    // (With the failing request the incident test added.)
    expect(page.stdout).toMatch(/\/pay\s+61\s+11\s+18\.03%/);
    const json = JSON.parse((await cli('customer', 'acme', '--dataset', 'checkout', '--json')).stdout);
    expect(json).toMatchObject({ id: 'acme', events: 101, errors: 11 });
    const list = await cli('customers', '--dataset', 'checkout', '--limit', '2');
    // acme's extra failure ties it with gamma at 16: ties go by id.
    expect(list.stdout.trim().split('\n').slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['CUSTOMER', 'acme', 'gamma']);
  });
});
