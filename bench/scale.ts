// npm run bench:scale — Tend nodes in front of ClickHouse (events) and PostgreSQL (metadata):
//   ingest: the same events through two `tend serve --events clickhouse://... --meta postgres://...`
//     nodes (Honeycomb batch API), against ClickHouse's own HTTP JSONEachRow inserts of the same
//     rows into a table of the same shape, with the same number of connections, in the same run;
//   queries: the query benchmark's kinds of questions through Tend's query API, against
//     hand-written ClickHouse SQL for the same answers (totals and series) on the same table.
// BENCH_SHARDS=2 runs the same on a cluster of two ClickHouse servers on loopback, Tend with
// `?cluster=tend` (docs/scale-out.md), the reference inserting into the shards' local tables in
// turn as Tend does, and both reading through the Distributed table.
// Settings (env): BENCH_EVENTS (default 200,000), BENCH_BATCH (1,000), BENCH_CONNECTIONS (4),
// BENCH_RUNS (query repetitions, 5), BENCH_SHARDS (1), BENCH_ONLY=queries (the events go in
// through Tend as ever, but ClickHouse's own insert rate is not measured).
import fs from 'node:fs';
import os from 'node:os';
import { spawnTend, type ChildTend } from '../test/support/tend.js';
import { startPostgres } from '../test/support/postgres.js';
import { clickHouseVersion, startClickHouse, startClickHouseCluster, type ClickHouse } from './clickhouse.js';
import { generateEvents } from './generator.js';
import { httpPoster, sendAll } from './load.js';
import { median, percentile, recordResult, tempDir } from './report.js';

const TOTAL = Number(process.env.BENCH_EVENTS ?? 200_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 1000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 4);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SHARDS = Number(process.env.BENCH_SHARDS ?? 1);
const QUERIES_ONLY = process.env.BENCH_ONLY === 'queries';
const END_MS = Math.floor(Date.now() / 3_600_000) * 3_600_000;
const SPAN_MS = 3_600_000;
const timeMs = (i: number) => Math.floor(END_MS - SPAN_MS + (i * SPAN_MS) / TOTAL);

/** Request bodies: Tend's Honeycomb batches, and the same rows as JSONEachRow with Tend's own columns. */
function bodies(): { tend: Buffer[]; ch: Buffer[] } {
  const tend: Buffer[] = [];
  const ch: Buffer[] = [];
  for (let from = 0; from < TOTAL; from += BATCH) {
    const events = generateEvents(from, Math.min(BATCH, TOTAL - from));
    tend.push(Buffer.from(JSON.stringify(events.map((data, k) => ({ time: new Date(timeMs(from + k)).toISOString(), data })))));
    const rows = events.map((e, k) => JSON.stringify({ __time: timeMs(from + k) * 1000, __samplerate: 1, ...e, cache_hit: +e.cache_hit, error: +e.error, retry: +e.retry }));
    ch.push(Buffer.from(rows.join('\n')));
  }
  return { tend, ch };
}

/** Two nodes sharing the stores (pushed onto `nodes` as they start); the second joins with the first's keys. */
async function startNodes(nodes: ChildTend[], events: string, meta: string): Promise<void> {
  const args = ['--events', events, '--meta', meta, '--grpc-port', 'off'];
  const firstDir = tempDir('scale-1');
  nodes.push(await spawnTend(firstDir, 0, { TEND_NODE_ID: 'node-1' }, args));
  // A joining node writes no keys.json; spawnTend reads the first's from its folder.
  const secondDir = tempDir('scale-2');
  fs.copyFileSync(`${firstDir}/keys.json`, `${secondDir}/keys.json`);
  nodes.push(await spawnTend(secondDir, 0, { TEND_NODE_ID: 'node-2', TEND_INGEST_KEY: nodes[0].ingestKey, TEND_ADMIN_KEY: nodes[0].adminKey }, args));
}

async function ingestThroughTend(nodes: ChildTend[], batches: Buffer[]) {
  const posts = nodes.map((n) => httpPoster(`${n.url}/1/batch/scale`, { 'x-honeycomb-team': n.ingestKey, 'content-type': 'application/json' }, Math.ceil(CONNECTIONS / nodes.length)));
  let turn = 0;
  let rejected = 0;
  const run = await sendAll(batches, CONNECTIONS, async (body) => {
    const r = await posts[turn++ % posts.length](body);
    if (r.status === 429) return 'retry';
    if (r.status !== 200) throw new Error(`Tend answered ${r.status}: ${r.text.slice(0, 200)}`);
    for (const s of JSON.parse(r.text) as { status: number }[]) if (s.status !== 202) rejected++;
    return 'done';
  });
  return { ...run, rejected };
}

/**
 * ClickHouse's own rate: the same rows into a table shaped as Tend makes them (`like`), on a
 * cluster into each server's share in turn behind a Distributed table, as Tend writes.
 */
async function ingestReference(servers: ClickHouse[], batches: Buffer[], like: string) {
  const local = servers.length > 1 ? 'ev_local' : 'ev';
  for (const server of servers) {
    await server.query('CREATE DATABASE IF NOT EXISTS ref');
    await server.query(`CREATE TABLE ref.${local} AS ${like}${servers.length > 1 ? '_local' : ''}`);
    if (servers.length > 1) await server.query(`CREATE TABLE ref.ev AS ref.ev_local ENGINE = Distributed(tend, ref, ev_local)`);
  }
  const posts = servers.map((server) => httpPoster(`${server.url}/?query=${encodeURIComponent(`INSERT INTO ref.${local} FORMAT JSONEachRow`)}`, {}, Math.ceil(CONNECTIONS / servers.length)));
  let turn = 0;
  const run = await sendAll(batches, CONNECTIONS, async (body) => {
    const r = await posts[turn++ % posts.length](body);
    if (r.status !== 200) throw new Error(`ClickHouse answered ${r.status}: ${r.text.slice(0, 200)}`);
    return 'done';
  });
  return { ...run, stored: Number((await servers[0].query('SELECT count() FROM ref.ev')).trim()) };
}

interface QueryCase {
  name: string;
  spec: Record<string, unknown>;
  /** Hand-written statements giving the same totals and series over `t`. */
  sql: (t: string) => string[];
}

const GRANULARITY = 60;
function cases(): QueryCase[] {
  const w = `__time >= ${(END_MS - SPAN_MS) * 1000} AND __time < ${END_MS * 1000}`;
  const b = `intDiv(__time, ${GRANULARITY * 1e6}) * ${GRANULARITY * 1e6}`;
  const both = (t: string, keys: string, aggs: string) => [
    `SELECT ${keys}${keys ? ', ' : ''}${aggs} FROM ${t} WHERE ${w}${keys ? ` GROUP BY ${keys}` : ''}`,
    `SELECT ${keys}${keys ? ', ' : ''}${b} AS b, ${aggs} FROM ${t} WHERE ${w} GROUP BY ${keys}${keys ? ', ' : ''}b`,
  ];
  return [
    { name: 'COUNT', spec: { calculations: [{ op: 'COUNT' }] }, sql: (t) => both(t, '', 'sum(__samplerate)') },
    { name: 'COUNT by service', spec: { breakdowns: ['service'], calculations: [{ op: 'COUNT' }] }, sql: (t) => both(t, 'service', 'sum(__samplerate)') },
    {
      name: 'P99(duration_ms) by endpoint',
      spec: { breakdowns: ['endpoint'], calculations: [{ op: 'P99', column: 'duration_ms' }] },
      sql: (t) => both(t, 'endpoint', 'quantileExactWeighted(0.99)(duration_ms, toUInt64(__samplerate))'),
    },
    { name: 'COUNT_DISTINCT(customer_id)', spec: { calculations: [{ op: 'COUNT_DISTINCT', column: 'customer_id' }] }, sql: (t) => both(t, '', 'uniqExact(customer_id)') },
    {
      name: 'AVG(duration_ms) where status >= 500',
      spec: { calculations: [{ op: 'AVG', column: 'duration_ms' }], filters: [{ column: 'status_code', op: '>=', value: 500 }] },
      sql: (t) => both(t, '', 'sum(duration_ms * __samplerate) / sumIf(__samplerate, isNotNull(duration_ms))').map((s) => s.replace(`WHERE ${w}`, `WHERE ${w} AND status_code >= 500`)),
    },
    {
      name: 'HEATMAP(duration_ms)',
      spec: { calculations: [{ op: 'HEATMAP', column: 'duration_ms' }] },
      sql: (t) => {
        const bounds = `(SELECT min(duration_ms) AS lo, max(duration_ms) AS hi FROM ${t} WHERE ${w})`;
        const i = 'least(39, toInt32(floor((duration_ms - lo) / (hi - lo) * 40)))';
        return [
          // The events in a subquery: ClickHouse refuses a Distributed table joined to a subquery reading one.
          `SELECT ${i} AS i, sum(__samplerate) FROM (SELECT * FROM ${t} WHERE ${w}) CROSS JOIN ${bounds} GROUP BY i`,
          `SELECT ${b} AS b, ${i} AS i, sum(__samplerate) FROM (SELECT * FROM ${t} WHERE ${w}) CROSS JOIN ${bounds} GROUP BY b, i`,
        ];
      },
    },
  ];
}

async function timeQueries(ch: ClickHouse, node: ChildTend, table: string) {
  const rows: { name: string; tendMs: number; clickhouseMs: number; ratio: number }[] = [];
  for (const q of cases()) {
    const tendTimes: number[] = [];
    const chTimes: number[] = [];
    // Interleaved, so load from elsewhere on the machine falls on both alike.
    for (let r = 0; r < RUNS; r++) {
      let t0 = performance.now();
      const res = await fetch(`${node.url}/api/v1/query/scale`, {
        method: 'POST',
        headers: { 'x-honeycomb-team': node.adminKey, 'content-type': 'application/json' },
        body: JSON.stringify({ start_time: (END_MS - SPAN_MS) / 1000, end_time: END_MS / 1000, granularity: GRANULARITY, ...q.spec }),
      });
      if (res.status !== 200) throw new Error(`${q.name}: Tend answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
      await res.json();
      tendTimes.push(performance.now() - t0);
      t0 = performance.now();
      for (const s of q.sql(table)) await ch.query(s);
      chTimes.push(performance.now() - t0);
    }
    const row = { name: q.name, tendMs: median(tendTimes), clickhouseMs: median(chTimes), ratio: median(tendTimes) / median(chTimes) };
    rows.push(row);
    console.log(`${q.name.padEnd(38)} Tend ${row.tendMs.toFixed(1).padStart(8)} ms   ClickHouse SQL ${row.clickhouseMs.toFixed(1).padStart(8)} ms   ratio ${row.ratio.toFixed(2)}`);
  }
  return rows;
}

async function main() {
  console.log(`bench:scale — ${TOTAL.toLocaleString()} events, batches of ${BATCH}, ${CONNECTIONS} connections, ${os.cpus().length} cores`);
  const cluster = SHARDS > 1 ? await startClickHouseCluster(SHARDS) : undefined;
  const servers = cluster ? cluster.shards : [await startClickHouse()].filter((s) => s !== undefined);
  if (servers.length === 0) throw new Error('clickhouse-server is missing and could not be installed');
  const ch = servers[0];
  const pg = await startPostgres();
  const nodes: ChildTend[] = [];
  try {
    const version = await clickHouseVersion(ch);
    console.log(`ClickHouse ${version}, ${servers.length} shard(s)`);
    const { tend: tendBodies, ch: chBodies } = bodies();
    await startNodes(nodes, `${ch.url.replace('http://', 'clickhouse://default:@')}/tend${cluster ? `?cluster=${cluster.name}` : ''}`, pg.url('tend'));
    const tend = await ingestThroughTend(nodes, tendBodies);
    const [table] = (await ch.query("SELECT name FROM system.tables WHERE database = 'tend' AND name LIKE 'ev\\_%' AND NOT endsWith(name, '_local') FORMAT TSV")).trim().split('\n');
    const stored = Number((await ch.query(`SELECT count() FROM tend.${table}`)).trim());
    // Merged first, so the reference's inserts do not share the servers with Tend's merges.
    for (const server of servers) await server.query(`OPTIMIZE TABLE tend.${table}${cluster ? '_local' : ''} FINAL`);
    const tendRate = TOTAL / tend.seconds;
    console.log(`Tend, 2 nodes -> ClickHouse ${version}: ${Math.round(tendRate).toLocaleString()} events/s  batch p50 ${percentile(tend.latencies, 50).toFixed(1)} ms  p99 ${percentile(tend.latencies, 99).toFixed(1)} ms  stored ${stored}  rejected ${tend.rejected}`);
    let ingest: Record<string, number> | undefined;
    if (!QUERIES_ONLY) {
      const ref = await ingestReference(servers, chBodies, `tend.${table}`);
      const refRate = TOTAL / ref.seconds;
      console.log(`ClickHouse HTTP JSONEachRow:    ${Math.round(refRate).toLocaleString()} events/s  batch p50 ${percentile(ref.latencies, 50).toFixed(1)} ms  p99 ${percentile(ref.latencies, 99).toFixed(1)} ms  stored ${ref.stored}`);
      console.log(`Tend / ClickHouse ingest = ${(tendRate / refRate).toFixed(2)} (goal >= 0.8)\n`);
      ingest = { tendEventsPerSecond: tendRate, clickhouseEventsPerSecond: refRate, ratio: tendRate / refRate, stored, referenceStored: ref.stored, rejected: tend.rejected };
    }
    const queries = await timeQueries(ch, nodes[1], `tend.${table}`);
    recordResult('scale', {
      events: TOTAL, batch: BATCH, connections: CONNECTIONS, clickhouse: version, shards: servers.length,
      ...(ingest ? { ingest } : {}),
      queries,
    });
  } finally {
    for (const n of nodes) await n.stop();
    if (cluster) await cluster.stop();
    else await ch.stop();
    await pg.stop();
    for (const d of fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('tend-scale-'))) fs.rmSync(`${os.tmpdir()}/${d}`, { recursive: true, force: true });
  }
}

await main();
