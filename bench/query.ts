// npm run bench:query — Tend's query API against the same questions asked in hand-written SQL
// of raw DuckDB (same process, same tables) and, when Debian's ClickHouse is installed, of
// ClickHouse over the same events, at each size of BENCH_EVENTS: 2,000,000 events (where
// Tend's fixed costs show) and 10,000,000. "Tend" is the end-to-end HTTP time of POST
// /api/v1/query (or /bubbleup). Every reference computes what Tend's answer holds: the totals
// per group and the series per group and time bucket, percentiles exact (nearest rank, as
// Tend's). Where DuckDB can say the same thing in several forms, each is measured and the
// fastest is the reference. Runs are interleaved (Tend, then each form, BENCH_RUNS times after
// a warm-up round) so a busy machine slows all alike; the figure is the median.
// Settings (env): BENCH_EVENTS (default 2000000,10000000), BENCH_RUNS (5), BENCH_NO_CLICKHOUSE=1,
// BENCH_DATA_DIR (keep each size's loaded data folder there and reuse it in later runs).
import fs from 'node:fs';
import path from 'node:path';
import { startTestTend, type TestTend } from '../test/support/tend.js';
import { clickHouseVersion, startClickHouse, type ClickHouse } from './clickhouse.js';
import { loadBenchEvents, SPAN_DAYS } from './query-data.js';
import { median, recordResult, tempDir } from './report.js';

const SIZES = (process.env.BENCH_EVENTS ?? '2000000,10000000').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TARGET = 1.1;
const HOUR = 3600;

interface BenchQuery {
  name: string;
  /** Tend's request: a query spec, or a BubbleUp request. */
  tend: { route: 'query' | 'bubbleup'; body: object };
  /** Hand-written DuckDB forms of the same answer, each a list of statements; `{src}` is the events relation, `{tw}` the time bound. */
  duck: Record<string, string[]>;
  /** The same in ClickHouse SQL over table `ev` (time column `t`, DateTime). */
  clickhouse: string[];
}

/** The suite over the loaded window [start, end) in Unix seconds. */
function suite(start: number, end: number): BenchQuery[] {
  const w = { start_time: start, end_time: end, granularity: HOUR };
  const last7 = { start_time: end - 7 * 86_400, end_time: end, granularity: HOUR };
  const bucket = `time_bucket(INTERVAL ${HOUR} SECOND, "__time")`;
  const chw = (s: number, e: number) => `t >= toDateTime(${s}) AND t < toDateTime(${e})`;
  const chBucket = `intDiv(toUInt32(t), ${HOUR}) * ${HOUR}`;
  const tw7 = `"__time" >= make_timestamp(${(end - 7 * 86_400) * 1e6}) AND "__time" < make_timestamp(${end * 1e6})`;
  /** The events of a window with a time bucket `t` and the given columns, as a CTE. */
  const ev = (cols: string, where = '{tw}') => `ev AS (SELECT ${bucket} t, ${cols} FROM {src} WHERE ${where})`;
  const heat = (by: string) =>
    `WITH r AS (SELECT min(duration_ms) lo, max(duration_ms) hi FROM {src} WHERE {tw}) SELECT ${by}least(39, floor((duration_ms - lo) / (hi - lo) * 40)) b, sum("__samplerate") FROM {src}, r WHERE {tw} GROUP BY ALL`;
  const heatBucket = 'least(39, floor((x - lo) / (hi - lo) * 40))';
  const chHeat = (byTime: boolean) =>
    `SELECT ${byTime ? `${chBucket} tb, ` : ''}least(39, toUInt32(floor((duration_ms - lo) / (hi - lo) * 40))) b, count() FROM ev CROSS JOIN (SELECT min(duration_ms) lo, max(duration_ms) hi FROM ev WHERE ${chw(start, end)}) WHERE ${chw(start, end)} GROUP BY ${byTime ? 'tb, ' : ''}b`;
  const slowTop = `SELECT customer_id FROM {src} WHERE {tw} AND status_code >= 500 GROUP BY 1 HAVING sum("__samplerate") > 3 ORDER BY sum("__samplerate") DESC, customer_id LIMIT 100`;
  const chSlowTop = `SELECT customer_id FROM ev WHERE ${chw(start, end)} AND status_code >= 500 GROUP BY customer_id HAVING count() > 3 ORDER BY count() DESC, customer_id LIMIT 100`;
  const stringCols = ['service', 'endpoint', 'method', 'customer_id', 'build_id', 'region', 'host', 'user.plan', 'app.version', 'user_agent'];
  const selDuck = `"__time" >= make_timestamp(${(end - 86_400) * 1e6}) AND duration_ms >= 1000`;
  const chCol = (c: string) => c.replaceAll('.', '_');
  const share = '"db.duration_ms" / NULLIF(duration_ms, 0)';
  // Averages weigh each event by its sample rate, as COUNT does (and as Tend's answer does).
  const wavg = (x: string) => `sum(${x} * "__samplerate") / sum(CASE WHEN ${x} IS NOT NULL THEN "__samplerate" END)`;
  return [
    {
      name: 'count over time',
      tend: { route: 'query', body: { ...w, calculations: [{ op: 'COUNT' }] } },
      duck: {
        'two statements': [`SELECT sum("__samplerate") FROM {src} WHERE {tw}`, `SELECT ${bucket} t, sum("__samplerate") FROM {src} WHERE {tw} GROUP BY t`],
        'grouping sets': [`WITH ${ev('"__samplerate" w')} SELECT t, sum(w) FROM ev GROUP BY GROUPING SETS ((), (t))`],
        'total from the series': [`WITH ${ev('"__samplerate" w')}, s AS (SELECT t, sum(w) c FROM ev GROUP BY t) SELECT t, c FROM s UNION ALL SELECT NULL, sum(c) FROM s`],
      },
      clickhouse: [`SELECT count() FROM ev WHERE ${chw(start, end)}`, `SELECT ${chBucket} b, count() FROM ev WHERE ${chw(start, end)} GROUP BY b`],
    },
    {
      name: 'P99 by endpoint',
      tend: { route: 'query', body: { ...w, calculations: [{ op: 'P99', column: 'duration_ms' }], breakdowns: ['endpoint'] } },
      duck: {
        'two statements': [
          `SELECT endpoint, quantile_disc(duration_ms, 0.99) p FROM {src} WHERE {tw} GROUP BY endpoint ORDER BY p DESC LIMIT 1000`,
          `SELECT endpoint, ${bucket} t, quantile_disc(duration_ms, 0.99) FROM {src} WHERE {tw} GROUP BY ALL`,
        ],
        'grouping sets': [`WITH ${ev('endpoint, duration_ms x')} SELECT endpoint, t, quantile_disc(x, 0.99) FROM ev GROUP BY GROUPING SETS ((endpoint), (endpoint, t))`],
      },
      clickhouse: [
        `SELECT endpoint, quantile(0.99)(duration_ms) p FROM ev WHERE ${chw(start, end)} GROUP BY endpoint ORDER BY p DESC LIMIT 1000`,
        `SELECT endpoint, ${chBucket} b, quantile(0.99)(duration_ms) FROM ev WHERE ${chw(start, end)} GROUP BY endpoint, b`,
      ],
    },
    {
      name: 'COUNT_DISTINCT customer_id',
      tend: { route: 'query', body: { ...w, calculations: [{ op: 'COUNT_DISTINCT', column: 'customer_id' }] } },
      duck: {
        'two statements': [`SELECT count(DISTINCT customer_id) FROM {src} WHERE {tw}`, `SELECT ${bucket} t, count(DISTINCT customer_id) FROM {src} WHERE {tw} GROUP BY t`],
        'grouping sets': [`WITH ${ev('customer_id x')} SELECT t, count(DISTINCT x) FROM ev GROUP BY GROUPING SETS ((), (t))`],
      },
      clickhouse: [`SELECT uniqExact(customer_id) FROM ev WHERE ${chw(start, end)}`, `SELECT ${chBucket} b, uniqExact(customer_id) FROM ev WHERE ${chw(start, end)} GROUP BY b`],
    },
    {
      name: 'HEATMAP duration_ms',
      tend: { route: 'query', body: { ...w, calculations: [{ op: 'HEATMAP', column: 'duration_ms' }] } },
      duck: {
        'two statements': [heat(''), heat(`${bucket} t, `)],
        'grouping sets': [`WITH ${ev('duration_ms x, "__samplerate" w')}, r AS (SELECT min(x) lo, max(x) hi FROM ev) SELECT t, ${heatBucket} b, sum(w) FROM ev, r GROUP BY GROUPING SETS ((b), (t, b))`],
        'totals from the series': [`WITH ${ev('duration_ms x, "__samplerate" w')}, r AS (SELECT min(x) lo, max(x) hi FROM ev), s AS (SELECT t, ${heatBucket} b, sum(w) n FROM ev, r GROUP BY ALL) SELECT t, b, n FROM s UNION ALL SELECT NULL, b, sum(n) FROM s GROUP BY b`],
      },
      clickhouse: [chHeat(false), chHeat(true)],
    },
    {
      name: 'errors by customer_id, having',
      tend: {
        route: 'query',
        body: { ...w, calculations: [{ op: 'COUNT' }], filters: [{ column: 'status_code', op: '>=', value: 500 }], breakdowns: ['customer_id'], havings: [{ calculate_op: 'COUNT', op: '>', value: 3 }], orders: [{ op: 'COUNT', order: 'descending' }], limit: 100 },
      },
      duck: {
        'two statements': [
          `SELECT customer_id, sum("__samplerate") c FROM {src} WHERE {tw} AND status_code >= 500 GROUP BY 1 HAVING c > 3 ORDER BY c DESC, customer_id LIMIT 100`,
          `SELECT customer_id, ${bucket} t, sum("__samplerate") FROM {src} WHERE {tw} AND status_code >= 500 AND customer_id IN (${slowTop}) GROUP BY ALL`,
        ],
        'top groups, then their series': [
          `WITH ${ev('customer_id g, "__samplerate" w', '{tw} AND status_code >= 500').replace('ev AS', 'ev AS MATERIALIZED')}, top AS (SELECT g, sum(w) c FROM ev GROUP BY g HAVING c > 3 ORDER BY c DESC, g LIMIT 100) SELECT g, NULL t, c FROM top UNION ALL SELECT g, t, sum(w) FROM ev SEMI JOIN top USING (g) GROUP BY g, t`,
        ],
      },
      clickhouse: [
        chSlowTop.replace('SELECT customer_id FROM', 'SELECT customer_id, count() FROM'),
        `SELECT customer_id, ${chBucket} b, count() FROM ev WHERE ${chw(start, end)} AND status_code >= 500 AND customer_id IN (${chSlowTop}) GROUP BY customer_id, b`,
      ],
    },
    {
      name: 'calculated field by service',
      tend: {
        route: 'query',
        body: { ...w, calculated_fields: [{ name: 'db_share', expression: 'DIV($db.duration_ms, $duration_ms)' }], calculations: [{ op: 'AVG', column: 'db_share' }], breakdowns: ['service'] },
      },
      duck: {
        'two statements': [
          `SELECT service, ${wavg(share)} a FROM {src} WHERE {tw} GROUP BY 1 ORDER BY a DESC LIMIT 1000`,
          `SELECT service, ${bucket} t, ${wavg(share)} FROM {src} WHERE {tw} GROUP BY ALL`,
        ],
        'grouping sets': [`WITH ${ev(`service, ${share} x, "__samplerate"`)} SELECT service, t, ${wavg('x')} FROM ev GROUP BY GROUPING SETS ((service), (service, t))`],
        'totals from the series': [
          `WITH ${ev(`service, ${share} x, "__samplerate" w`)}, s AS (SELECT service, t, sum(x * w) sx, sum(CASE WHEN x IS NOT NULL THEN w END) n FROM ev GROUP BY ALL) SELECT service, t, sx / n FROM s UNION ALL SELECT service, NULL, sum(sx) / sum(n) FROM s GROUP BY service`,
        ],
      },
      clickhouse: [
        `SELECT service, avg(db_duration_ms / duration_ms) a FROM ev WHERE ${chw(start, end)} AND duration_ms != 0 GROUP BY service ORDER BY a DESC LIMIT 1000`,
        `SELECT service, ${chBucket} b, avg(db_duration_ms / duration_ms) FROM ev WHERE ${chw(start, end)} AND duration_ms != 0 GROUP BY service, b`,
      ],
    },
    {
      name: '7 days: COUNT, P95 by service',
      tend: { route: 'query', body: { ...last7, calculations: [{ op: 'COUNT' }, { op: 'P95', column: 'duration_ms' }], breakdowns: ['service'] } },
      duck: {
        'two statements': [
          `SELECT service, sum("__samplerate") c, quantile_disc(duration_ms, 0.95) FROM {src} WHERE ${tw7} GROUP BY 1 ORDER BY c DESC LIMIT 1000`,
          `SELECT service, ${bucket} t, sum("__samplerate"), quantile_disc(duration_ms, 0.95) FROM {src} WHERE ${tw7} GROUP BY ALL`,
        ],
        'grouping sets': [`WITH ${ev('service, duration_ms x, "__samplerate" w', tw7)} SELECT service, t, sum(w), quantile_disc(x, 0.95) FROM ev GROUP BY GROUPING SETS ((service), (service, t))`],
      },
      clickhouse: [
        `SELECT service, count() c, quantile(0.95)(duration_ms) FROM ev WHERE ${chw(end - 7 * 86_400, end)} GROUP BY service ORDER BY c DESC LIMIT 1000`,
        `SELECT service, ${chBucket} b, count(), quantile(0.95)(duration_ms) FROM ev WHERE ${chw(end - 7 * 86_400, end)} GROUP BY service, b`,
      ],
    },
    {
      name: 'BubbleUp: slow in the last day',
      tend: {
        route: 'bubbleup',
        body: { baseline: { start_time: start, end_time: end }, selection: { start_time: end - 86_400, end_time: end, column: 'duration_ms', min: 1000 } },
      },
      // By hand: every string column's value counts on each side, exact, in one grouping-sets pass.
      duck: {
        'grouping sets': [
          `SELECT ${stringCols.map((c) => `"${c}"`).join(', ')}, ${selDuck} AS sel, sum("__samplerate") FROM {src} WHERE {tw} GROUP BY GROUPING SETS (${stringCols.map((c) => `("${c}", sel)`).join(', ')})`,
        ],
      },
      clickhouse: [
        `SELECT kv.1 k, kv.2 v, countIf(t >= toDateTime(${end - 86_400}) AND duration_ms >= 1000) s, count() - s b FROM ev ARRAY JOIN [${stringCols.map((c) => `('${c}', ${chCol(c)})`).join(', ')}] AS kv WHERE ${chw(start, end)} GROUP BY k, v`,
      ],
    },
  ];
}

/** Each function once to warm up, then RUNS rounds of all of them in turn; the medians, in ms. */
async function interleaved(fns: Record<string, () => Promise<unknown>>): Promise<Record<string, number>> {
  const times: Record<string, number[]> = {};
  for (const [name, fn] of Object.entries(fns)) {
    await fn();
    times[name] = [];
  }
  for (let i = 0; i < RUNS; i++) {
    for (const [name, fn] of Object.entries(fns)) {
      const t0 = performance.now();
      await fn();
      times[name].push(performance.now() - t0);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([name, v]) => [name, median(v)]));
}

/**
 * What exact P99 by endpoint costs in DuckDB itself, whatever Tend does around it: the same
 * answer's two halves alone, and the same grouping with COUNT instead of P99 (the part no
 * percentile method can avoid).
 */
async function percentileFloor(read: (sql: string) => Promise<unknown>): Promise<Record<string, number>> {
  const ev = `WITH ev AS (SELECT endpoint, (epoch_us("__time") // ${HOUR * 1e6}) AS t, duration_ms FROM {src} WHERE {tw})`;
  const forms: Record<string, string> = {
    'one statement, GROUPING SETS (as Tend)': `${ev} SELECT endpoint, t, quantile_disc(duration_ms, 0.99) FROM ev GROUP BY GROUPING SETS ((endpoint), (endpoint, t))`,
    'totals alone': `${ev} SELECT endpoint, quantile_disc(duration_ms, 0.99) FROM ev GROUP BY endpoint`,
    'series alone': `${ev} SELECT endpoint, t, quantile_disc(duration_ms, 0.99) FROM ev GROUP BY endpoint, t`,
    'same grouping, COUNT only': `${ev} SELECT endpoint, t, count(*) FROM ev GROUP BY GROUPING SETS ((endpoint), (endpoint, t))`,
  };
  const out = await interleaved(Object.fromEntries(Object.entries(forms).map(([name, sql]) => [name, () => read(sql)])));
  console.log('\nexact P99 by endpoint in raw DuckDB, other forms of the same work:');
  for (const [name, ms] of Object.entries(out)) console.log(`  ${name.padEnd(40)} ${`${ms.toFixed(0)} ms`.padStart(8)}`);
  return out;
}

/** Copies the events into ClickHouse, one day table at a time through a TSV file. */
async function loadClickHouse(ch: ClickHouse, read: (sql: string) => Promise<unknown>, tables: string[], columns: string[], dir: string): Promise<number> {
  const chType = (c: string) =>
    ['duration_ms', 'db.duration_ms'].includes(c) ? 'Float64' : ['status_code', 'db.query_count', 'response_bytes'].includes(c) ? 'Int64' : ['cache_hit', 'error', 'retry'].includes(c) ? 'UInt8' : 'String';
  await ch.query(`CREATE TABLE ev (t DateTime, samplerate UInt32, ${columns.map((c) => `${c.replaceAll('.', '_')} ${chType(c)}`).join(', ')}) ENGINE = MergeTree ORDER BY t`);
  const select = columns.map((c) => (chType(c) === 'UInt8' ? `CAST("${c}" AS INTEGER)` : `"${c}"`)).join(', ');
  const file = path.join(dir, 'day.tsv');
  for (const table of tables) {
    await read(`COPY (SELECT strftime("__time", '%Y-%m-%d %H:%M:%S'), "__samplerate", ${select} FROM ${table}) TO '${file}' (FORMAT CSV, DELIMITER '\t', HEADER false, QUOTE '')`);
    await ch.query('INSERT INTO ev FORMAT TabSeparated', fs.readFileSync(file));
  }
  fs.rmSync(file);
  return Number((await ch.query('SELECT count() FROM ev')).trim());
}

interface Loaded {
  t: TestTend;
  startMs: number;
  endMs: number;
  /** Seconds the load took; null when the events came from BENCH_DATA_DIR. */
  loadSeconds: number | null;
}

/**
 * Tend over `total` bench events: loaded into a temp folder, or with BENCH_DATA_DIR into (or
 * from, when an earlier run left it there) `<dir>/query-<total>`, whose window.json says the
 * window the events span.
 */
async function loadTend(total: number): Promise<Loaded> {
  const kept = process.env.BENCH_DATA_DIR ? path.join(process.env.BENCH_DATA_DIR, `query-${total}`) : undefined;
  const windowFile = kept && path.join(kept, 'window.json');
  if (windowFile && fs.existsSync(windowFile)) {
    const { startMs, endMs } = JSON.parse(fs.readFileSync(windowFile, 'utf8')) as { startMs: number; endMs: number };
    console.log(`reusing ${total.toLocaleString()} events in ${kept}`);
    return { t: await startTestTend({ data: kept }), startMs, endMs, loadSeconds: null };
  }
  if (kept) fs.mkdirSync(kept, { recursive: true });
  const t = await startTestTend({ data: kept ?? tempDir('query') });
  const env = (await t.tend.auth.environment('production'))!;
  const dataset = await t.tend.datasets.findOrCreate(env.id, 'bench');
  const endMs = Math.floor(Date.now() / 3_600_000) * 3_600_000;
  const started = performance.now();
  const { startMs } = await loadBenchEvents(t.tend.store, t.tend.db, dataset, total, endMs, (n) => process.stdout.write(`\rloading ${n.toLocaleString()} events`));
  const loadSeconds = (performance.now() - started) / 1000;
  console.log(`\rloaded ${total.toLocaleString()} events in ${loadSeconds.toFixed(1)} s (${Math.round(total / loadSeconds).toLocaleString()} events/s)`);
  if (windowFile) fs.writeFileSync(windowFile, JSON.stringify({ startMs, endMs }));
  return { t, startMs, endMs, loadSeconds };
}

interface Row {
  name: string;
  tendMs: number;
  /** The fastest hand-written form and its time. */
  duckMs: number;
  duckForm: string;
  /** Every hand-written form measured. */
  duckForms: Record<string, number>;
  ratio: number;
  clickhouseMs: number | null;
}

/** The suite over `total` events: each query's Tend, raw DuckDB and ClickHouse figures. */
async function runSize(total: number) {
  console.log(`\n== ${total.toLocaleString()} events over ${SPAN_DAYS} days, median of ${RUNS} interleaved runs after a warm-up`);
  const { t, startMs, endMs, loadSeconds } = await loadTend(total);
  const env = (await t.tend.auth.environment('production'))!;
  const dataset = (await t.tend.datasets.find(env.id, 'bench'))!;
  const [start, end] = [startMs / 1000, endMs / 1000];
  const src = (await t.tend.store.source([dataset.id], startMs * 1000, endMs * 1000))!;
  const tw = `"__time" >= make_timestamp(${startMs * 1000}) AND "__time" < make_timestamp(${endMs * 1000})`;
  const readDuck = (sql: string) => t.tend.store.read(sql.replaceAll('{src}', src).replaceAll('{tw}', tw), [], { timeoutMs: 600_000 });

  let ch: ClickHouse | undefined;
  let chVersion: string | undefined;
  if (!process.env.BENCH_NO_CLICKHOUSE) {
    ch = await startClickHouse();
    if (ch) {
      chVersion = await clickHouseVersion(ch);
      const started = performance.now();
      const tables = [...src.matchAll(/FROM ("(?:[^"]|"")+")/g)].map((m) => m[1]);
      const columns = (await t.tend.store.columns(dataset.id)).map((c) => c.name);
      const tsvDir = tempDir('query-ch');
      const stored = await loadClickHouse(ch, readDuck, tables.length ? tables : [src], columns, tsvDir);
      fs.rmSync(tsvDir, { recursive: true, force: true });
      console.log(`ClickHouse ${chVersion}: loaded ${stored.toLocaleString()} events in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    } else {
      console.log('ClickHouse: not installed and could not be installed; skipped');
    }
  }

  const tendCall = async (q: BenchQuery) => {
    const res = await fetch(`${t.url}/api/v1/${q.tend.route}/bench?timeout_ms=60000`, {
      method: 'POST',
      headers: { 'x-honeycomb-team': t.adminKey, 'content-type': 'application/json' },
      body: JSON.stringify(q.tend.body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${q.name}: Tend answered ${res.status} ${text.slice(0, 300)}`);
  };
  const rows: Row[] = [];
  console.log(`\n${'query'.padEnd(34)} ${'Tend HTTP'.padStart(10)} ${'raw DuckDB'.padStart(11)} ${'ratio'.padStart(6)}${ch ? ` ${'ClickHouse'.padStart(11)} ${'Tend/CH'.padStart(8)}` : ''}  fastest DuckDB form (others)`);
  for (const q of suite(start, end)) {
    const forms = Object.fromEntries(Object.entries(q.duck).map(([form, statements]) => [form, async () => { for (const s of statements) await readDuck(s); }]));
    const { Tend: tendMs, ...duckForms } = await interleaved({ Tend: () => tendCall(q), ...forms });
    const [duckForm, duckMs] = Object.entries(duckForms).sort((a, b) => a[1] - b[1])[0];
    const clickhouseMs = ch ? (await interleaved({ ch: async () => { for (const s of q.clickhouse) await ch!.query(s); } })).ch : null;
    const ratio = tendMs / duckMs;
    rows.push({ name: q.name, tendMs, duckMs, duckForm, duckForms, ratio, clickhouseMs });
    const chText = clickhouseMs === null ? '' : ` ${`${clickhouseMs.toFixed(0)} ms`.padStart(11)} ${(tendMs / clickhouseMs).toFixed(2).padStart(8)}`;
    const others = Object.entries(duckForms).filter(([form]) => form !== duckForm).map(([form, ms]) => `${form} ${ms.toFixed(0)}`).join(', ');
    console.log(`${q.name.padEnd(34)} ${`${tendMs.toFixed(0)} ms`.padStart(10)} ${`${duckMs.toFixed(0)} ms`.padStart(11)} ${ratio.toFixed(2).padStart(6)}${chText}  ${duckForm}${others ? ` (${others})` : ''}${ratio > TARGET ? `  > ${TARGET}` : ''}`);
  }
  const p99Floor = total === Math.max(...SIZES) ? await percentileFloor(readDuck) : undefined;
  const missed = rows.filter((r) => r.ratio > TARGET).map((r) => r.name);
  console.log(`\ntarget at ${total.toLocaleString()} events: every query within ${TARGET}x of the fastest hand-written DuckDB form: ${missed.length ? `missed by ${missed.join(', ')}` : 'met'}`);
  await ch?.stop();
  await t.close();
  if (!process.env.BENCH_DATA_DIR) fs.rmSync(t.dataDir, { recursive: true, force: true });
  return { events: total, loadSeconds, clickhouse: chVersion ?? null, queries: rows, ...(p99Floor ? { p99Floor } : {}) };
}

async function main() {
  console.log(`bench:query — ${SIZES.map((n) => n.toLocaleString()).join(' and ')} events over ${SPAN_DAYS} days`);
  const sizes = [];
  for (const total of SIZES) sizes.push(await runSize(total));
  recordResult('query', { spanDays: SPAN_DAYS, runs: RUNS, target: TARGET, sizes });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
