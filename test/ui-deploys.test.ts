// A deploy's report in the web app, in chromium: a deploy recorded in the past over generated
// traffic whose /pay endpoint got worse after it; the page shows the charts around the deploy,
// each window's figures, the finding for /pay with its numbers as the API has them, and what
// the new errors have in common.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser as Chromium } from 'playwright-core';
import { launchChromium } from './support/chromium.js';
import { requests } from './support/deploy-traffic.js';
import { Browser, OWNER, startWithOwner } from './support/people.js';
import { seededRandom } from './support/random.js';
import type { Tend } from '../src/server/index.js';

let tend: Tend;
let chromium: Chromium;
let api: Browser;
let deployId: string;
const WINDOW_S = 900;
const deployAt = Math.floor(Date.now() / 1000) - WINDOW_S - 60;

beforeAll(async () => {
  tend = await startWithOwner();
  api = new Browser(tend.url);
  expect((await api.login(OWNER.email, OWNER.password)).status).toBe(200);
  const keys = JSON.parse(fs.readFileSync(`${tend.config.dataDir}/keys.json`, 'utf8'));
  const r = seededRandom(5);
  const windows = [[deployAt - WINDOW_S, requests(r, 4000, 'b1')], [deployAt, requests(r, 4000, 'b2', { endpoints: { '/pay': { errorRate: 0.2 } } })]] as const;
  for (const [from, events] of windows) {
    const body = events.map((e, i) => ({ time: new Date((from + (i * WINDOW_S) / events.length) * 1000).toISOString(), data: e }));
    const res = await fetch(`${tend.url}/1/batch/shop`, { method: 'POST', headers: { 'x-honeycomb-team': keys.ingest_key, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
  }
  const res = await fetch(`${tend.url}/api/v1/deploys`, {
    method: 'POST', headers: { 'x-honeycomb-team': keys.ingest_key, 'content-type': 'application/json' },
    body: JSON.stringify({ service: 'shop', build: 'b2', message: 'faster checkout', time: new Date(deployAt * 1000).toISOString() }),
  });
  deployId = (await res.json()).id;
  chromium = await launchChromium();
}, 60_000);

afterAll(async () => {
  await chromium?.close();
  await tend?.close();
});

describe('deploy report page', () => {
  it('shows the charts, the windows and the findings the API reports', async () => {
    let report = (await api.request('GET', `/api/v1/deploys/${deployId}/report`)).body;
    for (const until = Date.now() + 20_000; report.status !== 'done' && Date.now() < until;) {
      await new Promise((res) => setTimeout(res, 100));
      report = (await api.request('GET', `/api/v1/deploys/${deployId}/report`)).body;
    }
    const pay = report.findings.find((f: { key: string; metric: string; against: string }) => f.key === '/pay' && f.metric === 'error_rate' && f.against === 'before');
    expect(pay).toBeDefined();

    const context = await chromium.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addCookies([{ name: 'tend_session', value: api.cookie!.split('=')[1], url: tend.url }]);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${tend.url}/deploys/${deployId}`);
    await page.getByRole('heading', { name: 'Deploy of shop, build b2' }).waitFor();
    await expect(page.getByText('faster checkout')).toBeTruthy();
    for (const title of ['Events per minute', 'Error rate', 'P95 latency (ms)']) expect(await page.getByRole('img', { name: title }).count()).toBe(1);
    const row = page.locator('table.findings tr', { hasText: 'endpoint /pay' }).filter({ hasText: 'the window before' }).filter({ hasText: 'error_rate' });
    await row.waitFor();
    const cells = await row.locator('td').allTextContents();
    expect(cells[0]).toBe('worse');
    expect(cells[6]).toBe(pay.p_value.toPrecision(2));
    const common = await page.locator('section[aria-label="New errors"] li').allTextContents();
    expect(common.some((t) => t.startsWith('endpoint = /pay'))).toBe(true);
    // The column the error expression reads is left out: it would only say what an error is.
    expect(common.some((t) => t.startsWith('status_code'))).toBe(false);
    expect(errors).toEqual([]);
    // TEND_SCREENSHOTS=1 keeps a picture of the page in docs/screenshots, as the other UI tests do.
    if (process.env.TEND_SCREENSHOTS === '1') await page.screenshot({ path: 'docs/screenshots/deploy-report.png', fullPage: true });
    await context.close();
  }, 60_000);
});
