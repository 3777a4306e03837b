// npm run bench:query — Tend's query API against the same questions asked in hand-written SQL
// of raw DuckDB (same process, same tables) and, when Debian's ClickHouse is installed, of
// ClickHouse over the same events. Each query's figure is the median of BENCH_RUNS runs after
// one warm-up; "Tend" is the end-to-end HTTP time of POST /api/v1/query (or /bubbleup).
// Every reference computes what Tend's answer holds: the totals per group and the series
// per group and time bucket.
// Settings (env): BENCH_EVENTS (default 10,000,000), BENCH_RUNS (5), BENCH_NO_CLICKHOUSE=1.
import fs from 'node:fs';
import path from 'node:path';
import { startTestTend } from '../test/support/tend.js';
import { clickHouseVersion, startClickHouse, type ClickHouse } from './clickhouse.js';
import { loadBenchEvents, SPAN_DAYS } from './query-data.js';
import { median, recordResult, tempDir } from './report.js';

const TOTAL = Number(process.env.BENCH_EVENTS ?? 10_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const HOUR = 3600;

interface BenchQuery {
  name: string;
  /** Tend's request: a query spec, or a BubbleUp request. */
  tend: { route: 'query' | 'bubbleup'; body: object };
  /** Hand-written DuckDB statements; `{src}` is the events relation, `{tw}` the time bound. */
  duck: string[];
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
  const heat = (by: string) =>
    `WITH r AS (SELECT min(duration_ms) lo, max(duration_ms) hi FROM {src} WHERE {tw}) SELECT ${by}least(39, floor((duration_ms - lo) / (hi - lo) * 40)) b, sum("__samplerate") FROM {src}, r WHERE {tw} GROUP BY ALL`;
  const chHeat = (byTime: boolean) =>
    `SELECT ${byTime ? `${chBucket} tb, ` : ''}least(39, toUInt32(floor((duration_ms - lo) / (hi - lo) * 40))) b, count() FROM ev CROSS JOIN (SELECT min(duration_ms) lo, max(duration_ms) hi FROM ev WHERE ${chw(start, end)}) WHERE ${chw(start, end)} GROUP BY ${byTime ? 'tb, ' : ''}b`;
  const slowTop = `SELECT customer_id FROM {src} WHERE {tw} AND status_code >= 500 GROUP BY 1 HAVING sum("__samplerate") > 3 ORDER BY sum("__samplerate") DESC, customer_id LIMIT 100`;
  const chSlowTop = `SELECT customer_id FROM ev WHERE ${chw(start, end)} AND status_code >= 500 GROUP BY customer_id HAVING count() > 3 ORDER BY count() DESC, customer_id LIMIT 100`;
  const stringCols = ['service', 'endpoint', 'method', 'customer_id', 'build_id', 'region', 'host', 'user.plan', 'app.version', 'user_agent'];
  const selDuck = `"__time" >= make_timestamp(${(end - 86_400) * 1e6}) AND duration_ms >= 1000`;
  const chCol = (c: string) => c.replaceAll('.', '_');
  return [
    {
      name: 'count over time',
      tend: { route: 'query', body: { ...w, calculations: [{ op: 'COUNT' }] } },
      duck: [`SELECT sum("__samplerate") FROM {src} WHERE {tw}`, `SELECT ${bucket} t, sum("__samplerate") FROM {src} WHERE {tw} GROUP BY t`],
      clickhouse: [`SELECT count() FROM ev WHERE ${chw(start, end)}`, `SELECT ${chBucket} b, count() FROM ev WHERE ${chw(start, end)} GROUP BY b`],
    },
    {
      name: 'P99 by endpoint',
      tend: { route: 'query', body: { ...w, calculations: [{ op: 'P99', column: 'duration_ms' }], breakdowns: ['endpoint'] } },
      duck: [
        `SELECT endpoint, quantile_cont(duration_ms, 0.99) p FROM {src} WHERE {tw} GROUP BY endpoint ORDER BY p DESC LIMIT 1000`,
        `SELECT endpoint, ${bucket} t, quantile_cont(duration_ms, 0.99) FROM {src} WHERE {tw} GROUP BY ALL`,
      ],
      clickhouse: [
        `SELECT endpoint, quantile(0.99)(duration_ms) p FROM ev WHERE ${chw(start, end)} GROUP BY endpoint ORDER BY p DESC LIMIT 1000`,
        `SELECT endpoint, ${chBucket} b, quantile(0.99)(duration_ms) FROM ev WHERE ${chw(start, end)} GROUP BY endpoint, b`,
      ],
    },
    {
      name: 'COUNT_DISTINCT customer_id',
      tend: { route: 'query', body: { ...w, calculations: [{ op: 'COUNT_DISTINCT', column: 'customer_id' }] } },
      duck: [`SELECT count(DISTINCT customer_id) FROM {src} WHERE {tw}`, `SELECT ${bucket} t, count(DISTINCT customer_id) FROM {src} WHERE {tw} GROUP BY t`],
      clickhouse: [`SELECT uniqExact(customer_id) FROM ev WHERE ${chw(start, end)}`, `SELECT ${chBucket} b, uniqExact(customer_id) FROM ev WHERE ${chw(start, end)} GROUP BY b`],
    },
    {
      name: 'HEATMAP duration_ms',
      tend: { route: 'query', body: { ...w, calculations: [{ op: 'HEATMAP', column: 'duration_ms' }] } },
      duck: [heat(''), heat(`${bucket} t, `)],
      clickhouse: [chHeat(false), chHeat(true)],
    },
    {
      name: 'errors by customer_id, having',
      tend: {
        route: 'query',
        body: { ...w, calculations: [{ op: 'COUNT' }], filters: [{ column: 'status_code', op: '>=', value: 500 }], breakdowns: ['customer_id'], havings: [{ calculate_op: 'COUNT', op: '>', value: 3 }], orders: [{ op: 'COUNT', order: 'descending' }], limit: 100 },
      },
      duck: [
        `SELECT customer_id, sum("__samplerate") c FROM {src} WHERE {tw} AND status_code >= 500 GROUP BY 1 HAVING c > 3 ORDER BY c DESC, customer_id LIMIT 100`,
        `SELECT customer_id, ${bucket} t, sum("__samplerate") FROM {src} WHERE {tw} AND status_code >= 500 AND customer_id IN (${slowTop}) GROUP BY ALL`,
      ],
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
      duck: [
        `SELECT service, avg("db.duration_ms" / NULLIF(duration_ms, 0)) a FROM {src} WHERE {tw} GROUP BY 1 ORDER BY a DESC LIMIT 1000`,
        `SELECT service, ${bucket} t, avg("db.duration_ms" / NULLIF(duration_ms, 0)) FROM {src} WHERE {tw} GROUP BY ALL`,
      ],
      clickhouse: [
        `SELECT service, avg(db_duration_ms / duration_ms) a FROM ev WHERE ${chw(start, end)} AND duration_ms != 0 GROUP BY service ORDER BY a DESC LIMIT 1000`,
        `SELECT service, ${chBucket} b, avg(db_duration_ms / duration_ms) FROM ev WHERE ${chw(start, end)} AND duration_ms != 0 GROUP BY service, b`,
      ],
    },
    {
      name: '7 days: COUNT, P95 by service',
      tend: { route: 'query', body: { ...last7, calculations: [{ op: 'COUNT' }, { op: 'P95', column: 'duration_ms' }], breakdowns: ['service'] } },
      duck: [
        `SELECT service, sum("__samplerate") c, quantile_cont(duration_ms, 0.95) FROM {src} WHERE ${tw7} GROUP BY 1 ORDER BY c DESC LIMIT 1000`,
        `SELECT service, ${bucket} t, sum("__samplerate"), quantile_cont(duration_ms, 0.95) FROM {src} WHERE ${tw7} GROUP BY ALL`,
      ],
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
      duck: [
        `SELECT ${stringCols.map((c) => `"${c}"`).join(', ')}, ${selDuck} AS sel, sum("__samplerate") FROM {src} WHERE {tw} GROUP BY GROUPING SETS (${stringCols.map((c) => `("${c}", sel)`).join(', ')})`,
      ],
      clickhouse: [
        `SELECT kv.1 k, kv.2 v, countIf(t >= toDateTime(${end - 86_400}) AND duration_ms >= 1000) s, count() - s b FROM ev ARRAY JOIN [${stringCols.map((c) => `('${c}', ${chCol(c)})`).join(', ')}] AS kv WHERE ${chw(start, end)} GROUP BY k, v`,
      ],
    },
  ];
}

async function time(fn: () => Promise<unknown>): Promise<number[]> {
  await fn();
  const out: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

/**
 * What exact P99 by endpoint costs in DuckDB itself, whatever Tend does around it: the same
 * answer (totals per endpoint and hourly series) in other hand-written forms, and the same
 * grouping with COUNT instead of P99 (the part no percentile method can avoid).
 */
async function percentileFloor(read: (sql: string) => Promise<unknown>): Promise<Record<string, number>> {
  const ev = `WITH ev AS (SELECT endpoint, (epoch_us("__time") // ${HOUR * 1e6}) AS t, duration_ms FROM {src} WHERE {tw})`;
  const forms: Record<string, string> = {
    'one statement, GROUPING SETS (as Tend)': `${ev} SELECT endpoint, t, quantile_disc(duration_ms, 0.99) FROM ev GROUP BY GROUPING SETS ((endpoint), (endpoint, t))`,
    'totals alone': `${ev} SELECT endpoint, quantile_disc(duration_ms, 0.99) FROM ev GROUP BY endpoint`,
    'series alone': `${ev} SELECT endpoint, t, quantile_disc(duration_ms, 0.99) FROM ev GROUP BY endpoint, t`,
    'same grouping, COUNT only': `${ev} SELECT endpoint, t, count(*) FROM ev GROUP BY GROUPING SETS ((endpoint), (endpoint, t))`,
  };
  console.log('\nexact P99 by endpoint in raw DuckDB, other forms of the same work:');
  const out: Record<string, number> = {};
  for (const [name, sql] of Object.entries(forms)) {
    out[name] = median(await time(() => read(sql)));
    console.log(`  ${name.padEnd(40)} ${`${out[name].toFixed(0)} ms`.padStart(8)}`);
  }
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

async function main() {
  console.log(`bench:query — ${TOTAL.toLocaleString()} events over ${SPAN_DAYS} days, median of ${RUNS} runs after a warm-up`);
  const t = await startTestTend({ data: tempDir('query') });
  const env = (await t.tend.auth.environment('production'))!;
  const dataset = await t.tend.datasets.findOrCreate(env.id, 'bench');
  const endMs = Math.floor(Date.now() / 3_600_000) * 3_600_000;
  let started = performance.now();
  const { startMs } = await loadBenchEvents(t.tend.store, t.tend.db, dataset, TOTAL, endMs, (n) => process.stdout.write(`\rloading ${n.toLocaleString()} events`));
  const loadSeconds = (performance.now() - started) / 1000;
  console.log(`\rloaded ${TOTAL.toLocaleString()} events in ${loadSeconds.toFixed(1)} s (${Math.round(TOTAL / loadSeconds).toLocaleString()} events/s)`);
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
      started = performance.now();
      const tables = [...src.matchAll(/FROM ("(?:[^"]|"")+")/g)].map((m) => m[1]);
      const columns = (await t.tend.store.columns(dataset.id)).map((c) => c.name);
      const stored = await loadClickHouse(ch, readDuck, tables.length ? tables : [src], columns, t.dataDir);
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
  const rows: { name: string; tendMs: number; duckMs: number; ratio: number; clickhouseMs: number | null }[] = [];
  console.log(`\n${'query'.padEnd(34)} ${'Tend HTTP'.padStart(10)} ${'raw DuckDB'.padStart(11)} ${'ratio'.padStart(6)}${ch ? ` ${'ClickHouse'.padStart(11)} ${'Tend/CH'.padStart(8)}` : ''}`);
  for (const q of suite(start, end)) {
    const tendMs = median(await time(() => tendCall(q)));
    const duckMs = median(await time(async () => { for (const s of q.duck) await readDuck(s); }));
    const clickhouseMs = ch ? median(await time(async () => { for (const s of q.clickhouse) await ch!.query(s); })) : null;
    const ratio = tendMs / duckMs;
    rows.push({ name: q.name, tendMs, duckMs, ratio, clickhouseMs });
    const chText = clickhouseMs === null ? '' : ` ${`${clickhouseMs.toFixed(0)} ms`.padStart(11)} ${(tendMs / clickhouseMs).toFixed(2).padStart(8)}`;
    console.log(`${q.name.padEnd(34)} ${`${tendMs.toFixed(0)} ms`.padStart(10)} ${`${duckMs.toFixed(0)} ms`.padStart(11)} ${ratio.toFixed(2).padStart(6)}${chText}${ratio > 1.25 ? '  > 1.25' : ''}`);
  }
  const p99Floor = await percentileFloor(readDuck);
  const p99 = rows.find((r) => r.name === 'P99 by endpoint')!;
  console.log(`\ntargets: every query within 1.25x of raw DuckDB: ${rows.every((r) => r.ratio <= 1.25) ? 'met' : `missed by ${rows.filter((r) => r.ratio > 1.25).map((r) => r.name).join(', ')}`}; ` +
    `P99 by endpoint under 500 ms: ${p99.tendMs < 500 ? 'met' : 'missed'} (${p99.tendMs.toFixed(0)} ms over ${TOTAL.toLocaleString()} events)`);
  recordResult('query', { events: TOTAL, spanDays: SPAN_DAYS, runs: RUNS, loadSeconds, clickhouse: chVersion ?? null, queries: rows, p99Floor });
  await ch?.stop();
  await t.close();
  fs.rmSync(t.dataDir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
