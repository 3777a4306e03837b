// The customer pages and the capacity view in a real browser (Debian's chromium through
// playwright-core), each checked against what the API answers for the same question: the most
// affected customers, a customer's figures, endpoints and charts, and a service's limits with a
// plan for twice the load.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser as Chromium, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tend } from '../src/server/index.js';
import { launchChromium } from './support/chromium.js';
import { Browser, OWNER, startWithOwner } from './support/people.js';
import { tempDataDir } from './support/tend.js';

const YAML = `
teams: [{ name: payments, members: [ana@example.com] }]
services:
  - name: checkout
    owner: payments
    datasets: [checkout]
    capacity: { requests_per_second: 10, endpoints: { /pay: 3 } }
`;

let tend: Tend;
let api: Browser;
let browser: Chromium;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  const dir = tempDataDir('tend-ui-customers');
  fs.writeFileSync(path.join(dir, 'tend.yaml'), YAML);
  tend = await startWithOwner({ data: path.join(dir, 'data'), config: path.join(dir, 'tend.yaml') });
  api = new Browser(tend.url);
  expect((await api.login(OWNER.email, OWNER.password)).status).toBe(200);
  const env = (await tend.auth.environment('production'))!;
  const now = Date.now();
  const events = [];
  for (let i = 0; i < 120; i++) {
    const customer = ['acme', 'beta', 'gamma'][i % 3];
    events.push({ time: (now - 1_800_000 + i * 10_000) * 1000, samplerate: 1, fields: { customer_id: customer, endpoint: i % 2 ? '/pay' : '/cart', duration_ms: 20 + (i % 7), status_code: customer === 'gamma' && i % 2 ? 500 : 200 } });
  }
  await tend.ingest.pipeline.submit(env, 'checkout', events);
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${tend.url}/sign-in`);
  await page.getByLabel('Email').fill(OWNER.email);
  await page.getByLabel('Password').fill(OWNER.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${tend.url}/`);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await tend?.close();
}, 30_000);

describe('customer and capacity pages in chromium', () => {
  it('ranks the most affected customers as the API does and links to each page', async () => {
    await page.goto(`${tend.url}/customers?dataset=checkout&window=1h`);
    const want = (await api.request('GET', '/api/v1/customers?dataset=checkout&window=1h&sort=most_affected&limit=50')).body.customers as { id: string; errors: number }[];
    const rows = page.locator('table.customers tbody tr');
    await expect.poll(() => rows.count()).toBe(want.length);
    expect(await page.locator('table.customers tbody tr td:first-child').allTextContents()).toEqual(want.map((c) => c.id));
    expect(want[0]).toMatchObject({ id: 'gamma', errors: 20 });
    await page.getByRole('link', { name: 'gamma' }).click();
    await page.waitForURL(/\/customers\/gamma\?dataset=checkout&window=1h/);
    await expect.poll(() => page.locator('.figures').textContent()).toContain('50%');
    const gamma = (await api.request('GET', '/api/v1/customers/gamma?dataset=checkout&window=1h')).body as { error_rate: number; endpoints: { endpoint: string; errors: number }[] };
    expect(gamma.error_rate).toBe(0.5);
    expect(await page.locator('table.endpoints tbody td:first-child').allTextContents()).toEqual(gamma.endpoints.map((e) => e.endpoint));
    expect(gamma.endpoints.find((e) => e.endpoint === '/pay')!.errors).toBe(20);
    expect(await page.locator('figure.line-chart').count()).toBe(3);
  });

  it('shows each limit with its peak and plans twice the load', async () => {
    await page.goto(`${tend.url}/capacity/checkout?weeks=1`);
    await expect.poll(() => page.locator('section.limit').count()).toBe(2);
    const view = (await api.request('GET', '/api/v1/services/checkout/capacity?weeks=1')).body as { limits: { name: string; peak: number }[] };
    expect(await page.locator('section.limit').evaluateAll((s) => s.map((e) => e.getAttribute('data-limit')))).toEqual(view.limits.map((l) => l.name));
    await page.getByLabel('Load').fill('2');
    await expect.poll(() => page.locator('.plan-verdict').textContent()).toMatch(/^At 2× no limit breaks\.$/);
    expect(pageErrors).toEqual([]);
  });
});
