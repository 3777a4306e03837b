// npm run bench:ui — the web UI's speed in Debian's chromium against a real Tend:
//  - JavaScript transferred (gzipped, cold cache) to show the sign-in page and the signed-in
//    home, against the 250 KB budget;
//  - the query page: navigation to a drawn chart for a 2-hour COUNT over BENCH_EVENTS events
//    (default 10,000,000; BENCH_DATA_DIR reuses bench:query's loaded folder), against the API
//    time for the same query measured in the same run (the reference) and the 1 s target;
//  - a 50-group x 300-point chart: from the answer's arrival to the drawn frame (target 100 ms),
//    and the work of one hover (cursor, 50 legend values, layout; target 16 ms);
//  - a 10,000-span trace waterfall: the longest frame while scrolling it (target 50 ms), and the
//    CPU time the browser's processes use per scrolled frame (what decides the frames on a
//    loaded machine).
// Figures: medians of BENCH_RUNS (5) runs; bench/results/ui.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { loadConfig } from '../src/config.js';
import { startTend, type Tend } from '../src/server/index.js';
import { launchChromium } from '../test/support/chromium.js';
import { loadBenchEvents } from './query-data.js';
import { median, percentile, recordResult, tempDir } from './report.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const BUDGET_KB = 250;
const PASSWORD = 'bench ui lantern 7 meadow';

async function startWithData(): Promise<{ tend: Tend; loadSeconds: number | null }> {
  const kept = process.env.BENCH_DATA_DIR ? path.join(process.env.BENCH_DATA_DIR, `query-${EVENTS}`) : undefined;
  const reuse = kept !== undefined && fs.existsSync(path.join(kept, 'window.json'));
  if (kept) fs.mkdirSync(kept, { recursive: true });
  // No SLO rounds during the run (their scheduler is not what is measured).
  const tend = await startTend(loadConfig({ port: 0, logLevel: 'error', data: kept ?? tempDir('ui') }, { TEND_SLO_INTERVAL: '86400' }), {});
  if (reuse) {
    console.log(`reusing ${EVENTS.toLocaleString()} events in ${kept}`);
    return { tend, loadSeconds: null };
  }
  const env = (await tend.auth.environment('production'))!;
  const dataset = await tend.datasets.findOrCreate(env.id, 'bench');
  const endMs = Math.floor(Date.now() / 3_600_000) * 3_600_000;
  const started = performance.now();
  const { startMs } = await loadBenchEvents(tend.store, tend.db, dataset, EVENTS, endMs, (n) => process.stdout.write(`\rloading ${n.toLocaleString()} events`));
  const loadSeconds = (performance.now() - started) / 1000;
  console.log(`\rloaded ${EVENTS.toLocaleString()} events in ${loadSeconds.toFixed(1)} s`);
  if (kept) fs.writeFileSync(path.join(kept, 'window.json'), JSON.stringify({ startMs, endMs }));
  return { tend, loadSeconds };
}

/** A trace of `n` spans: a root, 100 children, the rest spread under them; a few errors. */
function bigTrace(traceId: string, n: number) {
  const t0 = Date.now() - 120_000;
  const id = (i: number) => i.toString(16).padStart(16, '0');
  return Array.from({ length: n }, (_, i) => {
    const parent = i === 0 ? undefined : i <= 100 ? 0 : 1 + ((i - 101) % 100);
    return {
      time: new Date(t0 + (i % 1000) * 10).toISOString(),
      data: { 'trace.trace_id': traceId, 'trace.span_id': id(i + 1), ...(parent === undefined ? {} : { 'trace.parent_id': id(parent + 1) }), name: `op ${i % 37}`, 'service.name': `svc-${i % 7}`, duration_ms: i === 0 ? 11_000 : 5 + (i % 300), error: i % 500 === 0 },
    };
  });
}

/** Query results of `groups` groups x `points` buckets, as the API shapes them. */
function syntheticResult(groups: number, points: number, shift: number) {
  const start = Math.floor(Date.now() / 1000 / 60) * 60 - points * 60;
  const series = [];
  for (let p = 0; p < points; p++) for (let g = 0; g < groups; g++) series.push({ time: new Date((start + p * 60) * 1000).toISOString().replace('.000Z', 'Z'), data: { g: `group-${g}`, COUNT: Math.round(100 + 50 * Math.sin(p / 10 + g + shift)) } });
  return {
    query: { calculations: [{ op: 'COUNT' }], breakdowns: ['g'], start_time: start, end_time: start + points * 60, granularity: 60 },
    data: { series, results: Array.from({ length: groups }, (_, g) => ({ data: { g: `group-${g}`, COUNT: 1000 + g } })) },
    metadata: { dataset: 'bench', datasets: ['bench'], start_time: start, end_time: start + points * 60, granularity: 60, limit: 1000, rows_scanned: 0, duration_ms: 1 },
  };
}

async function scriptBytes(page: Page, go: () => Promise<unknown>): Promise<number> {
  const scripts: Promise<number>[] = [];
  page.on('requestfinished', (req) => {
    if (req.resourceType() === 'script') scripts.push(req.sizes().then((s) => s.responseBodySize));
  });
  await go();
  return (await Promise.all(scripts)).reduce((a, b) => a + b, 0);
}

// In-page code is passed as text: tsx would wrap named functions in a helper the page lacks.
/**
 * Marks the drawn chart old and, in the page, times the next query's answer (when fetch resolves)
 * and the frame after a new chart is in the page (polled every animation frame): window.__drawn
 * resolves to both. Both ends are taken in the page, so the bench's own round trips to the
 * browser are not in the figure.
 */
const TIME_NEXT_CHART = `(() => {
  document.querySelector('figure.chart .u-over').dataset.old = 'yes';
  const original = window.fetch;
  let answeredAt;
  window.fetch = async (...args) => {
    const res = await original(...args);
    // The query's answer only: the page also keeps the query in the person's recent queries.
    if (String(args[0]).includes('/api/v1/query/')) answeredAt = performance.now();
    return res;
  };
  window.__drawn = new Promise((resolve) => {
    const check = () => (document.querySelector('figure.chart .u-over:not([data-old])') ? requestAnimationFrame(() => resolve({ answeredAt, drawnAt: performance.now() })) : requestAnimationFrame(check));
    check();
  });
})()`;

/** CPU time (ms) used so far by all of the browser's processes, whatever the machine's load. */
async function browserCpuMs(browser: Browser): Promise<number> {
  const cdp = await browser.newBrowserCDPSession();
  const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: { cpuTime: number }[] };
  await cdp.detach();
  return processInfo.reduce((sum, p) => sum + p.cpuTime * 1000, 0);
}

/** Scrolls the waterfall 400 px a frame to the bottom; answers each frame's length (ms). */
const SCROLL_FRAMES = `new Promise((resolve) => {
  const el = document.querySelector('.waterfall');
  const out = [];
  let last = performance.now();
  const step = (now) => {
    out.push(now - last);
    last = now;
    el.scrollTop += 400;
    if (el.scrollTop + el.clientHeight < el.scrollHeight && out.length < 1000) requestAnimationFrame(step);
    else resolve(out.slice(1));
  };
  requestAnimationFrame(step);
})`;

async function main() {
  // The machine is shared: the load beside the figures says how much of it the browser had.
  const loadAtStart = os.loadavg()[0];
  const { tend, loadSeconds } = await startWithData();
  const email = `bench-${Date.now()}@example.com`;
  await tend.people.create({ email, password: PASSWORD, roles: { production: 'owner' } });
  const keys = JSON.parse(fs.readFileSync(path.join(tend.config.dataDir, 'keys.json'), 'utf8'));
  const traceId = 'beefbeefbeefbeefbeefbeefbeefbeef';
  const spans = bigTrace(traceId, 10_000);
  for (let i = 0; i < spans.length; i += 5000) {
    const res = await fetch(`${tend.url}/1/batch/bench-spans`, { method: 'POST', headers: { 'x-honeycomb-team': keys.ingest_key, 'content-type': 'application/json' }, body: JSON.stringify(spans.slice(i, i + 5000)) });
    if (!res.ok) throw new Error(`loading spans: ${res.status}`);
  }
  const browser = await launchChromium();
  try {
    // 1. JavaScript to show the sign-in page and the signed-in home, cold cache each time.
    const cold = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const p1 = await cold.newPage();
    const signInBytes = await scriptBytes(p1, async () => {
      await p1.goto(`${tend.url}/`);
      await p1.getByRole('button', { name: 'Sign in' }).waitFor();
    });
    await p1.getByLabel('Email').fill(email);
    await p1.getByLabel('Password').fill(PASSWORD);
    await p1.getByRole('button', { name: 'Sign in' }).click();
    await p1.locator('table.datasets').waitFor();
    const cookies = await cold.cookies();
    await cold.close();
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await ctx.addCookies(cookies);
    const page = await ctx.newPage();
    const homeBytes = await scriptBytes(page, async () => {
      await page.goto(`${tend.url}/`);
      await page.locator('table.datasets tbody tr').first().waitFor();
    });

    // 2. The query page: navigation to a drawn chart (2-hour COUNT), and the API alone.
    const spec = { calculations: [{ op: 'COUNT' }], time_range: 7200 };
    const link = `${tend.url}/query/bench?spec=${encodeURIComponent(JSON.stringify(spec))}`;
    const pageMs: number[] = [];
    const apiMs: number[] = [];
    const login = await fetch(`${tend.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    for (let r = 0; r <= RUNS; r++) {
      let t = performance.now();
      const res = await fetch(`${tend.url}/api/v1/query/bench`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(spec) });
      await res.json();
      if (r > 0) apiMs.push(performance.now() - t);
      await page.goto('about:blank');
      t = performance.now();
      await page.goto(link);
      await page.locator('figure.chart .u-over').waitFor();
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
      if (r > 0) pageMs.push(performance.now() - t);
    }

    // 3. 50 groups x 300 points: answer -> drawn frame, then hover work.
    // A different answer each time, so the page draws anew (equal answers keep the chart drawn).
    let shift = 0;
    await page.route('**/api/v1/query/bench-synthetic', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(syntheticResult(50, 300, shift++)) }));
    const renderMs: number[] = [];
    const hoverMs: number[] = [];
    for (let r = 0; r <= RUNS; r++) {
      await page.goto('about:blank');
      await page.goto(`${tend.url}/query/bench-synthetic?spec=${encodeURIComponent(JSON.stringify({ calculations: [{ op: 'COUNT' }], breakdowns: ['g'] }))}`);
      await page.locator('figure.chart .u-over').waitFor();
      await page.evaluate(TIME_NEXT_CHART);
      // Ask again now that the answer's arrival is timed: Run query re-fetches the same spec.
      await page.getByRole('button', { name: 'Run query' }).click();
      const { answeredAt, drawnAt } = (await page.evaluate('window.__drawn')) as { answeredAt: number; drawnAt: number };
      if (r > 0) renderMs.push(drawnAt - answeredAt);
      const hovers = await page.evaluate(() => {
        const over = document.querySelector('figure.chart .u-over') as HTMLElement;
        const box = over.getBoundingClientRect();
        const times: number[] = [];
        for (let i = 0; i < 60; i++) {
          const t = performance.now();
          over.dispatchEvent(new MouseEvent('mousemove', { clientX: box.left + (box.width * (i + 0.5)) / 60, clientY: box.top + box.height / 2, bubbles: true }));
          void document.body.offsetHeight; // style and layout of the legend's 50 values
          times.push(performance.now() - t);
        }
        return times;
      });
      if (r > 0) hoverMs.push(...hovers);
    }

    // 4. A 10,000-span waterfall: the longest frame while scrolling it top to bottom.
    const frameMs: number[] = [];
    const allFrames: number[] = [];
    const cpuPerFrame: number[] = [];
    for (let r = 0; r <= RUNS; r++) {
      await page.goto(`${tend.url}/trace/${traceId}`);
      await page.locator('.waterfall .span-row').first().waitFor({ timeout: 60_000 });
      const cpuBefore = await browserCpuMs(browser);
      const frames = (await page.evaluate(SCROLL_FRAMES)) as number[];
      if (r > 0) {
        cpuPerFrame.push(((await browserCpuMs(browser)) - cpuBefore) / frames.length);
        frameMs.push(Math.max(...frames));
        allFrames.push(...frames);
      }
    }

    const figures = {
      events: EVENTS,
      loadSeconds,
      runs: RUNS,
      loadAverage: { start: +loadAtStart.toFixed(2), end: +os.loadavg()[0].toFixed(2) },
      jsGzipKB: { signIn: +(signInBytes / 1024).toFixed(1), home: +(homeBytes / 1024).toFixed(1), budget: BUDGET_KB, signInRatio: +(signInBytes / 1024 / BUDGET_KB).toFixed(2), homeRatio: +(homeBytes / 1024 / BUDGET_KB).toFixed(2) },
      queryChart: { pageMs: Math.round(median(pageMs)), apiMs: Math.round(median(apiMs)), ratioToApi: +(median(pageMs) / median(apiMs)).toFixed(2), targetMs: 1000 },
      chart50x300: { renderMs: Math.round(median(renderMs)), renderTargetMs: 100, hoverP95Ms: +percentile(hoverMs, 95).toFixed(2), hoverMaxMs: +Math.max(...hoverMs).toFixed(2), hoverTargetMs: 16 },
      waterfall10k: { longestFrameMs: Math.round(median(frameMs)), worstRunMs: Math.round(Math.max(...frameMs)), frameP50Ms: Math.round(median(allFrames)), frameP95Ms: Math.round(percentile(allFrames, 95)), framesOver50: allFrames.filter((f) => f > 50).length, browserCpuMsPerFrame: +median(cpuPerFrame).toFixed(2), frames: allFrames.length, targetMs: 50 },
    };
    console.log(JSON.stringify(figures, null, 2));
    recordResult('ui', figures);
  } finally {
    await browser.close();
    await tend.close();
  }
}

await main();
