// Headroom (issue 15, item 4) over a real server: limits declared in tend.yaml, three days of
// traffic growing by a known amount each day (sent through the batch API), the peaks per hour,
// the trend of daily peaks, the headroom and the plan for a multiplied load; bad limits stop
// the start with the place in the file; bad parameters are 400s naming the field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCapacityFile } from '../src/capacity/index.js';
import { api, startAlertsTend, type AlertsTend } from './support/alerts.js';
import { runTend } from './support/cli.js';

let t: AlertsTend;
const YAML = `
teams: [{ name: payments, members: [ana@example.com] }]
services:
  - name: checkout
    owner: payments
    datasets: [checkout]
    capacity:
      requests_per_second: 10
      endpoints: { /pay: 3 }
      resources: { db.pool.in_use: 50 }
  - { name: ledger, owner: payments }
`;
const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY) * DAY;

beforeAll(async () => {
  t = await startAlertsTend(YAML);
  // Days -3, -2, -1: at noon one busy minute of 60 * (2 + d) requests (half on /pay), so the
  // peaks are 2, 3 and 4 requests per second (1, 1.5, 2 on /pay); the pool peaks at 10, 15, 20.
  const batch = [];
  for (let d = 0; d < 3; d++) {
    const noon = today - (3 - d) * DAY + 12 * 3_600_000;
    const n = 60 * (2 + d);
    for (let i = 0; i < n; i++) {
      batch.push({ time: new Date(noon + Math.floor((i * 60_000) / n)).toISOString(), data: { endpoint: i % 2 ? '/pay' : '/cart', 'db.pool.in_use': i === 0 ? 10 + 5 * d : 1 } });
    }
  }
  // A quiet hour before: peaks of other hours stay below the noon ones.
  batch.push({ time: new Date(today - 2 * DAY + 3_600_000).toISOString(), data: { endpoint: '/pay', 'db.pool.in_use': 2 } });
  expect((await api(t, t.ingestKey, 'POST', '/1/batch/checkout', batch)).status).toBe(200);
}, 30_000);
afterAll(() => t?.close());

describe('capacity', () => {
  it('answers peaks per hour, headroom and the trend of each limit', async () => {
    const r = await api(t, t.adminKey, 'GET', '/api/v1/services/checkout/capacity?weeks=1');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ service: 'checkout', dataset: 'checkout', weeks: 1 });
    const [total, pay, pool] = r.body.limits;
    expect(total).toMatchObject({ kind: 'requests_per_second', limit: 10, peak: 4, headroom: 6, used: 0.4, peak_at: new Date(today - DAY + 12 * 3_600_000).toISOString() });
    expect(total.hours).toHaveLength(7 * 24);
    expect(total.hours.filter((h: { peak: number }) => h.peak > 0.5).map((h: { peak: number }) => h.peak)).toEqual([2, 3, 4]);
    expect(total.trend.slope_per_day).toBeCloseTo(1, 9);
    // From the recent peak of 4 at 1 a day, 10 is 6 days away.
    expect(Date.parse(total.trend.reaches_limit_at) - Date.now()).toBeGreaterThan(6 * DAY - 60_000);
    expect(Date.parse(total.trend.reaches_limit_at) - Date.now()).toBeLessThan(6 * DAY + 60_000);
    expect(pay).toMatchObject({ kind: 'endpoint', name: '/pay', limit: 3, peak: 2, used: 2 / 3 });
    expect(pay.trend.slope_per_day).toBeCloseTo(0.5, 9);
    expect(pool).toMatchObject({ kind: 'resource', name: 'db.pool.in_use', limit: 50, peak: 20, headroom: 30 });
    expect(pool.trend.slope_per_day).toBeCloseTo(5, 9);
  });

  it('plans a multiplied load: which limit breaks first, and at what multiplier each would', async () => {
    const at = new Date(Date.now() + DAY).toISOString();
    const r = await api(t, t.adminKey, 'GET', `/api/v1/services/checkout/capacity/plan?multiplier=2&at=${at}&weeks=1`);
    expect(r.status).toBe(200);
    // A day on: total 5, /pay 2.5, pool 25; twice that: 10/10, 5/3, 50/50.
    expect(r.body.first_to_break).toMatchObject({ kind: 'endpoint', name: '/pay', breaks: true });
    expect(r.body.first_to_break.breaks_at_multiplier).toBeCloseTo(3 / 2.5, 3);
    const byName = Object.fromEntries(r.body.limits.map((l: { name: string }) => [l.name, l]));
    expect(byName.requests_per_second.projected).toBeCloseTo(10, 3);
    expect(byName['db.pool.in_use'].projected).toBeCloseTo(50, 3);
    const calm = await api(t, t.adminKey, 'GET', `/api/v1/services/checkout/capacity/plan?multiplier=1.1&weeks=1`);
    expect(calm.body.first_to_break).toBeNull();
    expect(calm.body.limits[0].name).toBe('/pay');
  });

  it('answers a service without limits, and 4xx naming the field', async () => {
    expect((await api(t, t.adminKey, 'GET', '/api/v1/services/ledger/capacity')).body.limits).toEqual([]);
    expect((await api(t, t.adminKey, 'GET', '/api/v1/services/nope/capacity')).status).toBe(404);
    expect((await api(t, t.adminKey, 'GET', '/api/v1/services/checkout/capacity?weeks=52')).body.error).toMatch(/^weeks/);
    expect((await api(t, t.adminKey, 'GET', '/api/v1/services/checkout/capacity/plan')).body.error).toMatch(/^multiplier/);
    expect((await api(t, t.adminKey, 'GET', '/api/v1/services/checkout/capacity/plan?multiplier=5&at=friday')).body.error).toMatch(/^at/);
  });

  it('names the place of a bad limit in tend.yaml', () => {
    const bad = (capacity: string) => () => parseCapacityFile(`services:\n  - { name: a, owner: t, capacity: ${capacity} }\n`);
    expect(bad('{ endpoints: { /x: -1 } }')).toThrow(/services\[0\]\.capacity\.endpoints\.\/x:/);
    expect(bad('{ rps: 5 }')).toThrow(/services\[0\]\.capacity/);
    expect(bad('{}')).toThrow(/declare requests_per_second, endpoints or resources/);
    expect(parseCapacityFile('services:\n  - { name: a, owner: t, capacity: { requests_per_second: 5 } }\n').services.get('a')).toEqual({ requests_per_second: 5, endpoints: {}, resources: {} });
  });
});

describe('tend capacity', () => {
  const cli = (...args: string[]) => runTend([...args, '--url', t.url, '--key', t.adminKey]);

  it('plans with --multiplier and --at, and shows the limits; --json as the API answers', async () => {
    const at = new Date(Date.now() + DAY).toISOString();
    const plan = await cli('capacity', 'plan', 'checkout', '--multiplier', '2', '--at', at, '--weeks', '1');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/\/pay breaks first: 5\.00 against a max of 3\.00 \(it breaks from 1\.20x\)/);
    const json = JSON.parse((await cli('capacity', 'plan', 'checkout', '--multiplier', '2', '--at', at, '--weeks', '1', '--json')).stdout);
    expect(json.first_to_break.name).toBe('/pay');
    const show = await cli('capacity', 'show', 'checkout', '--weeks', '1');
    expect(show.stdout).toMatch(/requests_per_second\s+10\.00\s+4\.00\s+40%\s+6\.00\s+1\.00/);
  });
});
