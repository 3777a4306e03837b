// bench:customers (issue 15 item 3): the "most affected customers" list and a customer's page
// over 10,000,000 events with 200,000 distinct customers, through the HTTP API of a running
// Tend (key check, query engine, JSON), each asked ROUNDS times; the median and the slowest
// are printed. The target: under 1 s. Tend starts fresh each run, so the first list and the
// first page find no rollups kept (src/customers/everyone.ts, customer-events.ts): the
// slowest is that first ask, the median one with the rollups kept.
// The reference, in the same run on the same data: the same answers as raw DuckDB SQL, one
// statement each (the list: the P99 then errors, slow and score per customer, top 20; the page:
// the customer's totals and percentiles, its series, everyone's totals and series, its
// endpoints, its slowest and failing requests), read through the store with no engine in
// between. Everyone's percentiles are approximate on both sides (the page's histogram, DuckDB's
// approx_quantile); the customer's own and the P99 threshold are exact on both.
//
// The machine's load average is printed and recorded beside the figures: on a shared machine
// the ratio to the reference is the figure to compare.
//
// Settings (env): BENCH_EVENTS (10000000), BENCH_ROUNDS (3), BENCH_DATA_DIR (keep the loaded
// data folder there and reuse it in later runs).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadBenchEvents } from './query-data.js';
import { median, recordResult, tempDir } from './report.js';
import { startTestTend } from '../test/support/tend.js';

const TOTAL = Number(process.env.BENCH_EVENTS ?? 10_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const LIMIT_MS = 1000;
const DAY_MS = 86_400_000;

type T = Awaited<ReturnType<typeof startTestTend>>;

async function load(): Promise<{ t: T; endMs: number }> {
  const kept = process.env.BENCH_DATA_DIR ? path.join(process.env.BENCH_DATA_DIR, `customers-${TOTAL}`) : undefined;
  const dir = kept ?? tempDir('customers');
  fs.mkdirSync(dir, { recursive: true });
  const windowFile = path.join(dir, 'window.json');
  if (kept && fs.existsSync(windowFile)) {
    console.log(`reusing ${TOTAL.toLocaleString()} events in ${kept}`);
    return { t: await startTestTend({ data: dir }), endMs: JSON.parse(fs.readFileSync(windowFile, 'utf8')).endMs };
  }
  const t = await startTestTend({ data: dir });
  const env = (await t.tend.auth.environment('production'))!;
  const dataset = await t.tend.datasets.findOrCreate(env.id, 'api');
  const endMs = Math.floor(Date.now() / 60_000) * 60_000;
  const started = performance.now();
  // One day of events: the whole dataset is inside the pages' 24h window.
  await loadBenchEvents(t.tend.store, t.tend.db, dataset, TOTAL, endMs, (n) => process.stdout.write(`\rloading: ${n.toLocaleString()} events`), 1);
  console.log(`\rloaded ${TOTAL.toLocaleString()} events in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  fs.writeFileSync(windowFile, JSON.stringify({ endMs }));
  return { t, endMs };
}

async function get(t: T, route: string): Promise<unknown> {
  const res = await fetch(t.url + route, { headers: { authorization: `Bearer ${t.adminKey}` } });
  if (!res.ok) throw new Error(`${route}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function timed(rounds: number, work: () => Promise<unknown>): Promise<{ median: number; max: number; last: unknown }> {
  const ms: number[] = [];
  let last: unknown;
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    last = await work();
    ms.push(performance.now() - started);
  }
  return { median: median(ms), max: Math.max(...ms), last };
}

/** The raw-SQL reference: the same answers as plain DuckDB statements over the same table. */
function referenceSql(source: string, startUs: number, endUs: number) {
  const time = `"__time" >= make_timestamp(${startUs}) AND "__time" < make_timestamp(${endUs})`;
  const list = `WITH p AS (SELECT quantile_disc(duration_ms, 0.99) AS p99 FROM ${source} WHERE ${time})
    SELECT customer_id, sum("__samplerate") AS events, sum("__samplerate") FILTER (WHERE status_code >= 500) AS errors,
      sum("__samplerate") FILTER (WHERE duration_ms > p.p99) AS slow,
      coalesce(sum("__samplerate") FILTER (WHERE status_code >= 500), 0) + coalesce(sum("__samplerate") FILTER (WHERE duration_ms > p.p99), 0) AS score
    FROM ${source} CROSS JOIN p WHERE ${time} AND customer_id IS NOT NULL GROUP BY customer_id ORDER BY score DESC, customer_id LIMIT 20`;
  const page = (customer: string) => [
    `SELECT sum("__samplerate") AS events, sum("__samplerate") FILTER (WHERE status_code >= 500) AS errors, quantile_disc(duration_ms, [0.5, 0.95, 0.99]) AS q FROM ${source} WHERE ${time} AND customer_id = '${customer}'`,
    `SELECT time_bucket(INTERVAL 300 SECOND, "__time") AS t, sum("__samplerate"), sum("__samplerate") FILTER (WHERE status_code >= 500), quantile_disc(duration_ms, [0.5, 0.95, 0.99]) FROM ${source} WHERE ${time} AND customer_id = '${customer}' GROUP BY t`,
    // Everyone's figures, totals and series, with approximate percentiles as the page has them.
    `SELECT time_bucket(INTERVAL 300 SECOND, "__time") AS t, sum("__samplerate"), sum("__samplerate") FILTER (WHERE status_code >= 500), approx_quantile(duration_ms, [0.5, 0.95, 0.99]) FROM ${source} WHERE ${time} GROUP BY GROUPING SETS ((), (t))`,
    `SELECT endpoint, sum("__samplerate"), sum("__samplerate") FILTER (WHERE status_code >= 500), quantile_disc(duration_ms, 0.95) FROM ${source} WHERE ${time} AND customer_id = '${customer}' GROUP BY endpoint`,
    `SELECT * FROM ${source} WHERE ${time} AND customer_id = '${customer}' ORDER BY duration_ms DESC LIMIT 21`,
    `SELECT * FROM ${source} WHERE ${time} AND customer_id = '${customer}' AND status_code >= 500 ORDER BY "__time" DESC LIMIT 21`,
  ];
  return { list, page };
}

async function main(): Promise<void> {
  console.log(`bench:customers — most affected list and customer pages over ${TOTAL.toLocaleString()} events, ${ROUNDS} rounds each`);
  const { t, endMs } = await load();
  const env = (await t.tend.auth.environment('production'))!;
  const dataset = (await t.tend.datasets.find(env.id, 'api'))!;
  const startMs = endMs - DAY_MS;
  // A shared machine may be busy: the queries get a minute each rather than the default 10 s.
  const q = `dataset=api&start=${startMs / 1000}&end=${endMs / 1000}&timeout_ms=60000`;
  const distinct = await t.tend.store.read(`SELECT count(DISTINCT customer_id) AS n FROM ${(await t.tend.store.source([dataset.id], startMs * 1000, endMs * 1000))!}`, [], { timeoutMs: 600_000 });
  console.log(`distinct customers: ${Number(distinct[0].n).toLocaleString()}`);

  const list = await timed(ROUNDS, () => get(t, `/api/v1/customers?${q}&sort=most_affected`));
  const top = (list.last as { customers: { id: string; events: number }[] }).customers;
  // A busy customer (the most affected one) and a quiet one (one of the last ids).
  const busy = top[0].id;
  const quiet = 'cust_199990';
  const busyPage = await timed(ROUNDS, () => get(t, `/api/v1/customers/${busy}?${q}`));
  const quietPage = await timed(ROUNDS, () => get(t, `/api/v1/customers/${quiet}?${q}`));

  const source = (await t.tend.store.source([dataset.id], startMs * 1000, endMs * 1000))!;
  const ref = referenceSql(source, startMs * 1000, endMs * 1000);
  const read = (sql: string) => t.tend.store.read(sql, [], { timeoutMs: 600_000 });
  const refList = await timed(ROUNDS, () => read(ref.list));
  const refBusy = await timed(ROUNDS, async () => { for (const s of ref.page(busy)) await read(s); });
  const refQuiet = await timed(ROUNDS, async () => { for (const s of ref.page(quiet)) await read(s); });
  const refTop = (refList.last as { customer_id: string }[]).map((r) => r.customer_id);
  const same = JSON.stringify(refTop) === JSON.stringify(top.map((c) => c.id));

  const rows = [
    ['most affected (top 20)', list, refList],
    [`page of ${busy} (${top[0].events.toLocaleString()} events)`, busyPage, refBusy],
    [`page of ${quiet} (${(quietPage.last as { events: number }).events} events)`, quietPage, refQuiet],
  ] as const;
  console.log(`\n${'answer'.padEnd(36)} ${'median'.padStart(9)} ${'slowest'.padStart(9)} ${'raw SQL'.padStart(9)} ${'ratio'.padStart(6)}  < ${LIMIT_MS} ms`);
  for (const [label, m, r] of rows) {
    console.log(`${label.padEnd(36)} ${`${m.median.toFixed(0)} ms`.padStart(9)} ${`${m.max.toFixed(0)} ms`.padStart(9)} ${`${r.median.toFixed(0)} ms`.padStart(9)} ${(m.median / r.median).toFixed(2).padStart(6)}  ${m.max < LIMIT_MS ? 'met' : 'MISSED'}`);
  }
  const loadAvg = os.loadavg().map((x) => x.toFixed(1)).join(' ');
  console.log(`load average (1, 5, 15 min) at the end: ${loadAvg} on ${os.cpus().length} cores`);
  console.log(`top 20 the same as raw SQL's: ${same ? 'yes' : `no (${refTop.slice(0, 5).join(',')} vs ${top.slice(0, 5).map((c) => c.id).join(',')})`}`);
  recordResult('customers', {
    events: TOTAL, customers: Number(distinct[0].n), rounds: ROUNDS, loadAverage: os.loadavg(), limitMs: LIMIT_MS, sameTop20: same,
    answers: rows.map(([label, m, r]) => ({ label, medianMs: m.median, maxMs: m.max, referenceMedianMs: r.median, ratio: m.median / r.median })),
  });
  await t.close();
  if (!process.env.BENCH_DATA_DIR) fs.rmSync(t.dataDir, { recursive: true, force: true });
}

await main();
