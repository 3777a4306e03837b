// The web UI in a real browser: Debian's chromium driven by playwright-core (scripts/
// ensure-test-tools.sh installs it; no downloaded browser), against a real Tend with data.
// One browser for the file, a few flows that each check what a person would see against what
// the API answers for the same question. TEND_SCREENSHOTS=1 also writes docs/screenshots/.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Browser as Chromium, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { startTend, type Tend } from '../src/server/index.js';
import { launchChromium } from './support/chromium.js';
import { Browser, OWNER } from './support/people.js';
import { tempDataDir } from './support/tend.js';

const SHOTS = process.env.TEND_SCREENSHOTS === '1' ? path.resolve('docs/screenshots') : undefined;
const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const VIEWER = { email: 'viewer@example.com', password: 'quiet meadow lantern 42' };
const TRACE_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

let tend: Tend;
let api: Browser;
let browser: Chromium;
let context: BrowserContext;
let page: Page;
let target: net.Server;
let targetPort: number;
const cspViolations: string[] = [];

/** 1,200 requests over the last 50 minutes; /pay failing slowly in the last 20. */
function requests(now: number) {
  const routes = ['/home', '/cart', '/pay'];
  return Array.from({ length: 1200 }, (_, i) => {
    const at = now - 5_000 - i * 2_500;
    const route = routes[i % 3];
    const failing = route === '/pay' && at > now - 20 * 60_000 && i % 2 === 0;
    return { time: new Date(at).toISOString(), data: { route, status: failing ? 500 : 200, duration_ms: failing ? 900 + (i % 50) : 20 + (i % 40) + (route === '/cart' ? 30 : 0), region: failing ? 'eu-west' : ['us-east', 'eu-west'][i % 2] } };
  });
}

function trace(now: number) {
  const t = (ms: number) => new Date(now - 60_000 + ms).toISOString();
  const span = (id: string, parent: string | undefined, name: string, service: string, start: number, duration: number, extra: Record<string, unknown> = {}) => ({
    time: t(start),
    data: { 'trace.trace_id': TRACE_ID, 'trace.span_id': id, ...(parent ? { 'trace.parent_id': parent } : {}), name, 'service.name': service, duration_ms: duration, ...extra },
  });
  return [
    span('0000000000000001', undefined, 'GET /pay', 'web', 0, 400),
    span('0000000000000002', '0000000000000001', 'charge card', 'payments', 20, 300, { 'card.kind': 'visa' }),
    span('0000000000000003', '0000000000000002', 'SELECT accounts', 'db', 40, 120, { error: true, 'db.statement': 'SELECT * FROM accounts' }),
    span('0000000000000004', '00000000000000ff', 'lost child', 'web', 350, 30),
    { time: t(100), data: { 'trace.trace_id': TRACE_ID, 'trace.parent_id': '0000000000000002', 'meta.annotation_type': 'span_event', name: 'retrying' } },
  ];
}

async function expectNoSeriousAxeViolations(where: string) {
  await page.evaluate(AXE);
  const found = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, target: String(v.nodes[0] && v.nodes[0].target) })))`)) as { id: string; impact: string; nodes: number; target: string }[];
  expect(found.filter((v) => v.impact === 'serious' || v.impact === 'critical'), `axe on ${where}`).toEqual([]);
}

async function shoot(name: string) {
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

/** The API's answer to the query the page's URL holds, asked with a session of the same person. */
async function apiAnswerFor(url: string) {
  const u = new URL(url);
  const spec = JSON.parse(u.searchParams.get('spec')!);
  const dataset = decodeURIComponent(u.pathname.split('/')[2]);
  const r = await api.request('POST', `/api/v1/query/${encodeURIComponent(dataset)}`, spec);
  expect(r.status).toBe(200);
  return r.body as { data: { series: { time: string; data: Record<string, number | string> }[]; results: { data: Record<string, number | string> }[] } };
}

/** The query page's results once no query is running (charts are redrawn when an answer comes). */
const settled = (p: Page) => p.locator('section[aria-label="Query results"][aria-busy="false"] figure.chart').first().waitFor();

const near = (a: number, b: number) => Math.abs(a - b) <= Math.max(1e-9, Math.abs(b) * 1e-3);
const num = (text: string) => Number(text.replace(/,/g, ''));

beforeAll(async () => {
  target = net.createServer((s) => s.end());
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  targetPort = (target.address() as net.AddressInfo).port;
  // SLO rounds at their default interval: the shutdown hang this file once worked around (a
  // keep-alive connection turning idle during close, test/close-keep-alive.test.ts) is fixed.
  tend = await startTend(loadConfig({ port: 0, logLevel: 'error', data: tempDataDir('tend-ui') }, {}), { TEND_ADMIN_EMAIL: OWNER.email, TEND_ADMIN_PASSWORD: OWNER.password });
  await tend.people.create({ email: VIEWER.email, password: VIEWER.password, roles: { production: 'viewer' } });
  api = new Browser(tend.url);
  expect((await api.login(OWNER.email, OWNER.password)).status).toBe(200);
  const now = Date.now();
  const keys = JSON.parse(fs.readFileSync(`${tend.config.dataDir}/keys.json`, 'utf8'));
  for (const [dataset, body] of [['app', requests(now)], ['spans', trace(now)]] as const) {
    const res = await fetch(`${tend.url}/1/batch/${dataset}`, { method: 'POST', headers: { 'x-honeycomb-team': keys.ingest_key, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
  }
  expect((await api.request('POST', '/1/markers/app', { message: 'v2.3 rolled out', type: 'deploy', start_time: Math.floor(now / 1000) - 1800 })).status).toBe(201);
  expect((await api.request('POST', '/api/v1/checks', { name: 'shop', kind: 'tcp', host: '127.0.0.1', port: targetPort, interval: '1h' })).status).toBe(201);
  expect((await api.request('POST', '/api/v1/checks/shop/run')).status).toBe(200);

  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  page = await context.newPage();
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  page.on('pageerror', (e) => cspViolations.push(`page error: ${e.message}`));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await tend?.close();
  if (target?.listening) await new Promise((resolve) => target.close(resolve));
}, 30_000);

describe('web UI in chromium', () => {
  it('serves the app with hashed, long-cached assets and the strict CSP', async () => {
    const index = await fetch(`${tend.url}/query/app`, { headers: { accept: 'text/html' } });
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('content-security-policy')).toMatch(/script-src 'self'; style-src 'self';/);
    const html = await index.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1];
    const asset = await fetch(tend.url + script);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('content-encoding')).toBe('gzip');
    // curl and API clients still get the JSON 404 for paths the app does not own.
    const missing = await fetch(`${tend.url}/api/v1/nope`, { headers: { accept: 'text/html' } });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'no route for GET /api/v1/nope' });
  });

  it('sends a signed-out person to sign in and back to where they were going', async () => {
    const spec = { calculations: [{ op: 'COUNT' }], breakdowns: ['route'], time_range: 7200 };
    const wanted = `/query/app?spec=${encodeURIComponent(JSON.stringify(spec))}`;
    await page.goto(tend.url + wanted);
    await page.waitForURL(/\/sign-in\?next=/);
    await expectNoSeriousAxeViolations('sign-in');
    await shoot('sign-in');
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password').fill('wrong password here');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/email or password is not right/);
    await page.getByLabel('Password').fill(OWNER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname + u.search === wanted);
    await page.locator('table.results tbody tr').first().waitFor();
    expect(await page.locator('table.results tbody tr').count()).toBe(3);
  });

  it('shows datasets on home with their last hour, and the API numbers in the chart and table of a query built by clicking and typing', async () => {
    await page.getByRole('link', { name: 'Datasets' }).click();
    const row = page.locator('table.datasets tr', { hasText: 'app' });
    await row.getByRole('img').waitFor();
    const lastHour = (await api.request('POST', '/api/v1/query/app', { calculations: [{ op: 'COUNT' }], time_range: 3600, granularity: 60 })).body.data.results[0].data.COUNT;
    expect(num(await row.locator('td.num').first().textContent() ?? '')).toBe(lastHour);
    await expectNoSeriousAxeViolations('home');
    await shoot('home');

    await row.getByRole('link', { name: 'app' }).click();
    await page.waitForURL(/\/query\/app\?spec=/);
    await page.getByRole('button', { name: 'Add calculation' }).click();
    await page.getByLabel('Calculation 2', { exact: true }).selectOption('P99');
    await page.getByLabel('Calculation 2 column').fill('duration_ms');
    await page.getByRole('button', { name: 'Add group' }).click();
    await page.getByLabel('Group by 1').fill('route');
    await page.getByLabel('Group by 1').press('Control+Enter');
    await page.waitForURL(/P99/);
    await expect.poll(async () => (await page.locator('table.results thead th').allTextContents()).slice(0, 3)).toEqual(['route', 'COUNT', 'P99(duration_ms)']);

    const answer = await apiAnswerFor(page.url());
    // The table: every row's numbers as the API gives them (at least 3 significant digits).
    await expect.poll(() => page.locator('table.results tbody tr').count()).toBe(answer.data.results.length);
    const shown = await page.locator('table.results tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 3).map((td) => td.textContent ?? '')));
    for (const [route, count, p99] of shown) {
      const want = answer.data.results.find((r) => r.data.route === route)!.data;
      expect(num(count)).toBe(want.COUNT);
      expect(near(num(p99), want['P99(duration_ms)'] as number)).toBe(true);
    }
    // The chart: hover a point; the legend names each group's value at that time, as the series has it.
    await settled(page);
    const chart = page.locator('figure.chart[data-calc="P99(duration_ms)"]');
    const over = chart.locator('.u-over');
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.97, box.y + box.height / 2);
    const legend = await chart.locator('.u-legend .u-series').evaluateAll((rows) => rows.map((r) => [r.querySelector('.u-label')?.textContent ?? '', r.querySelector('.u-value')?.textContent ?? '']));
    const [, timeText] = legend[0];
    const times = [...new Set(answer.data.series.map((p) => p.time))];
    const localTimes = (await page.evaluate(`(${JSON.stringify(times)}).map((t) => new Date(t).toLocaleTimeString())`)) as string[];
    const at = times[localTimes.indexOf(timeText)];
    expect(at, `legend time ${timeText}`).toBeDefined();
    let compared = 0;
    for (const [label, value] of legend.slice(1)) {
      const point = answer.data.series.find((p) => p.time === at && p.data.route === label)!;
      const want = point.data['P99(duration_ms)'];
      if (want === null) expect(value).toBe('—');
      else expect(near(num(value), want as number), `${label} at ${at}: ${value} vs ${want}`).toBe(true);
      compared++;
    }
    expect(compared).toBe(3);
    // The deploy marker is a line on each chart, its message on hover.
    expect(await chart.locator('.marker').getAttribute('title')).toMatch(/^deploy: v2\.3 rolled out/);
    await expectNoSeriousAxeViolations('query');
    await shoot('query');
  });

  it('opens a permalink with the same query and results, and back/forward restore queries', async () => {
    const link = await page.getByLabel('Link to this query').inputValue();
    expect(link).toBe(page.url());
    const before = await page.locator('table.results tbody').textContent();
    const other = await context.newPage();
    await other.goto(link);
    await other.locator('table.results tbody tr').first().waitFor();
    expect(await other.locator('table.results tbody').textContent()).toBe(before);
    expect(await other.getByLabel('Calculation 2 column').inputValue()).toBe('duration_ms');
    await other.close();
    // Recent queries live on the server: a fresh browser (no local storage) of the same person lists them.
    const fresh = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const elsewhere = await fresh.newPage();
    await elsewhere.goto(`${tend.url}/query/app`);
    await elsewhere.getByLabel('Email').fill(OWNER.email);
    await elsewhere.getByLabel('Password').fill(OWNER.password);
    await elsewhere.getByRole('button', { name: 'Sign in' }).click();
    await elsewhere.getByText('Recent queries').click();
    await expect.poll(() => elsewhere.locator('.recent li').allTextContents()).toContain('app: COUNT, P99(duration_ms) GROUP BY route');
    await fresh.close();
    await page.goBack();
    await expect.poll(() => page.locator('table.results thead th').allTextContents()).not.toContain('P99(duration_ms)');
    await page.goForward();
    await expect.poll(() => page.locator('table.results thead th').allTextContents()).toContain('P99(duration_ms)');
  });

  it('does a BubbleUp on a range of the chart and adds its filter', async () => {
    await settled(page);
    const over = page.locator('figure.chart[data-calc="COUNT"] .u-over');
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.8, box.y + 20);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.99, box.y + 40, { steps: 5 });
    await page.mouse.up();
    const panel = page.getByRole('region', { name: 'BubbleUp' });
    const status = panel.locator('.bubble-column', { hasText: /^status/ });
    await status.waitFor();
    await shoot('bubbleup');
    await status.getByRole('button', { name: /^500/ }).click();
    await page.waitForURL(/%22status%22%2C%22op%22%3A%22%3D%22%2C%22value%22%3A500/);
    await expect.poll(async () => page.locator('table.results tbody td:first-child').allTextContents()).toEqual(['/pay']);

    // A box dragged on a heatmap: the slow band of the last 20 minutes is all /pay and status 500.
    const heat = await context.newPage();
    await heat.goto(`${tend.url}/query/app?spec=${encodeURIComponent(JSON.stringify({ calculations: [{ op: 'HEATMAP', column: 'duration_ms' }], time_range: 3600 }))}`);
    const canvas = heat.getByRole('img', { name: /HEATMAP\(duration_ms\)/ });
    await canvas.waitFor();
    const c = (await canvas.boundingBox())!;
    await heat.mouse.move(c.x + c.width * 0.6, c.y + 8);
    await heat.mouse.down();
    await heat.mouse.move(c.x + c.width - 10, c.y + c.height * 0.4, { steps: 5 });
    await heat.mouse.up();
    const route = heat.getByRole('region', { name: 'BubbleUp' }).locator('.bubble-column', { hasText: /^route/ });
    await route.waitFor();
    expect(await route.locator('.value-name').first().textContent()).toBe('/pay');
    await heat.close();
  });

  it('opens a trace as a waterfall and shows a span\'s fields', async () => {
    await page.goto(`${tend.url}/trace/${TRACE_ID}`);
    const tree = page.getByRole('tree', { name: 'Spans' });
    await tree.getByRole('treeitem').first().waitFor();
    expect(await tree.getByRole('treeitem').count()).toBe(4);
    await expect.poll(() => page.getByText('span(s) whose parent is missing').count()).toBe(1);
    await tree.getByRole('button', { name: /SELECT accounts/ }).click();
    const panel = page.getByRole('complementary', { name: 'Span fields' });
    await expect.poll(() => panel.textContent()).toContain('SELECT * FROM accounts');
    await page.getByLabel('Search spans').fill('visa');
    await expect.poll(() => page.getByRole('status').textContent()).toBe('1 matching span(s)');
    await tree.getByRole('button', { name: 'Collapse charge card' }).click();
    expect(await tree.getByRole('treeitem').count()).toBe(3);
    await expectNoSeriousAxeViolations('trace');
    await shoot('trace');
  });

  it('keeps a long trace\'s rows in screen order as it scrolls, and a click picks the span shown', async () => {
    const traceId = 'b16b16b16b16b16b16b16b16b16b16b1';
    const now = Date.now();
    const spans = Array.from({ length: 500 }, (_, i) => ({
      time: new Date(now - 30_000 + i).toISOString(),
      data: { 'trace.trace_id': traceId, 'trace.span_id': (i + 1).toString(16).padStart(16, '0'), ...(i ? { 'trace.parent_id': '0000000000000001' } : {}), name: `step ${i}`, 'service.name': 'worker', duration_ms: 5 },
    }));
    const keys = JSON.parse(fs.readFileSync(`${tend.config.dataDir}/keys.json`, 'utf8'));
    const res = await fetch(`${tend.url}/1/batch/spans`, { method: 'POST', headers: { 'x-honeycomb-team': keys.ingest_key, 'content-type': 'application/json' }, body: JSON.stringify(spans) });
    expect(res.status).toBe(200);
    await page.goto(`${tend.url}/trace/${traceId}`);
    const tree = page.getByRole('tree', { name: 'Spans' });
    await tree.getByRole('treeitem').first().waitFor();
    const shown = () => tree.getByRole('treeitem').evaluateAll((items) => items.map((i) => (i.querySelector('.linkish') as HTMLElement | null)?.innerText ?? ''));
    // Only the rows in view (and a few either side) are in the page, top to bottom.
    const top = await shown();
    expect(top.length).toBeLessThan(60);
    expect(top).toEqual(top.map((_, k) => `worker: step ${k}`));
    await tree.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await expect.poll(async () => (await shown()).at(-1)).toBe('worker: step 499');
    const bottom = await shown();
    expect(bottom).toEqual(bottom.map((_, k) => `worker: step ${500 - bottom.length + k}`));
    // After a scroll, a click acts on the span its row shows.
    await tree.getByRole('button', { name: 'worker: step 497', exact: true }).click();
    await expect.poll(() => page.getByRole('complementary', { name: 'Span fields' }).locator('h2').textContent()).toBe('step 497');
    await tree.evaluate((el) => (el.scrollTop = 0));
    await tree.getByRole('button', { name: 'Collapse step 0' }).click();
    await expect.poll(shown).toEqual(['worker: step 0']);
  });

  it('opens the slowest traces of one chart point: its time bucket and group', async () => {
    const end = Math.ceil(Date.now() / 60_000) * 60;
    const spec = { calculations: [{ op: 'COUNT' }], breakdowns: ['service.name'], filters: [{ column: 'service.name', op: 'in', value: ['db', 'payments'] }], start_time: end - 600, end_time: end, granularity: 60 };
    const answer = (await api.request('POST', '/api/v1/query/spans', spec)).body as { data: { series: { time: string; data: Record<string, number | string> }[] } };
    const times = [...new Set(answer.data.series.map((p) => Date.parse(p.time) / 1000))];
    const bucket = Date.parse(answer.data.series.find((p) => p.data['service.name'] === 'db' && Number(p.data.COUNT) > 0)!.time) / 1000;
    await page.goto(`${tend.url}/query/spans?spec=${encodeURIComponent(JSON.stringify(spec))}`);
    await settled(page);
    // db and payments both count 1 in that bucket: isolate db (a click on its legend entry) so its line is the nearest.
    const chart = page.locator('figure.chart[data-calc="COUNT"]');
    await chart.locator('.u-legend .u-series', { hasText: 'db' }).click();
    const box = (await chart.locator('.u-over').boundingBox())!;
    await page.mouse.click(box.x + (box.width * (bucket - times[0])) / (times[times.length - 1] - times[0]), box.y + box.height / 2);
    const point = page.getByRole('region', { name: 'Chart point' });
    await expect.poll(() => point.textContent()).toMatch(/^COUNT = 1 for db at /);
    await point.getByRole('link', { name: 'Slowest traces of this point' }).click();
    await page.waitForURL(/\/traces\/spans\?spec=/);
    const opened = JSON.parse(new URL(page.url()).searchParams.get('spec')!);
    expect(opened).toMatchObject({ start_time: bucket, end_time: bucket + 60, filters: [spec.filters[0], { column: 'service.name', op: '=', value: 'db' }] });
    await expect.poll(() => page.locator('table.grid tbody tr td:first-child').allTextContents()).toEqual([TRACE_ID]);
  });

  it('shows a new event in live tail within 2 s of its acknowledgement', async () => {
    await page.goto(`${tend.url}/events/app?spec=${encodeURIComponent(JSON.stringify({ time_range: 600 }))}`);
    await page.locator('table.events tbody tr').first().waitFor();
    await page.getByLabel('Live tail').check();
    const keys = JSON.parse(fs.readFileSync(`${tend.config.dataDir}/keys.json`, 'utf8'));
    const res = await fetch(`${tend.url}/1/events/app`, { method: 'POST', headers: { 'x-honeycomb-team': keys.ingest_key, 'content-type': 'application/json' }, body: JSON.stringify({ route: '/tail-me', status: 201, duration_ms: 1 }) });
    expect(res.status).toBe(202);
    const acked = Date.now();
    await page.locator('table.events tbody tr', { hasText: '/tail-me' }).waitFor({ timeout: 2000 });
    expect(Date.now() - acked).toBeLessThan(2000);
    await page.locator('.events-list').evaluate((el) => (el.scrollTop = 300));
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/^Paused/);
    await expectNoSeriousAxeViolations('events');
    await shoot('events');
  });

  it('shows checks and a check going down; a viewer sees no controls and the API refuses', async () => {
    await page.goto(`${tend.url}/checks`);
    const row = page.locator('tr[data-check="shop"]');
    await expect.poll(() => row.locator('td.state').textContent()).toBe('up');
    await row.locator('svg.uptime').waitFor();
    await new Promise<void>((resolve) => target.close(() => resolve()));
    await row.getByRole('button', { name: 'Run now: shop' }).click();
    await expect.poll(() => row.locator('td.state').textContent(), { timeout: 10_000 }).toBe('down');
    await expectNoSeriousAxeViolations('checks');
    await shoot('checks');
    await row.getByRole('link', { name: 'shop' }).click();
    await expect.poll(() => page.locator('table.grid', { has: page.getByRole('columnheader', { name: 'Reason' }) }).locator('tbody tr').first().locator('td').nth(2).textContent(), { timeout: 10_000 }).toBe('down');

    const viewer = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    const phone = await viewer.newPage();
    await phone.goto(`${tend.url}/checks`);
    await phone.getByLabel('Email').fill(VIEWER.email);
    await phone.getByLabel('Password').fill(VIEWER.password);
    await phone.getByRole('button', { name: 'Sign in' }).click();
    await phone.locator('tr[data-check="shop"]').waitFor();
    expect(await phone.getByRole('button', { name: /Run now|Pause/ }).count()).toBe(0);
    expect(await phone.getByRole('button', { name: 'Sign out' }).count()).toBe(1);
    // Readable on a phone: the page itself does not scroll sideways (wide tables scroll in their box).
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    if (SHOTS) await phone.screenshot({ path: path.join(SHOTS, 'checks-phone-dark.png') });
    const refused = await phone.evaluate(async () => (await fetch('/api/v1/checks/shop/pause', { method: 'POST' })).status);
    expect(refused).toBe(403);
    await phone.getByRole('button', { name: 'Sign out' }).click();
    await phone.waitForURL(/\/sign-in/);
    await viewer.close();
    expect(cspViolations).toEqual([]);
  });
});
