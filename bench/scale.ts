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
// BENCH_ROUNDS (ingest rounds, 1: each round ingests through every build's nodes, then the
// reference, and a build's ratio is the median over rounds of its rate against the same round's
// reference), BENCH_BUILDS (space-separated `name=path/to/dist/cli/index.js`, or
// `name=path+NAME=value+...` to set the nodes' environment; two nodes each, sharing the stores;
// default this checkout's build; the first one's events are queried),
// BENCH_RUNS (query repetitions, 5), BENCH_SHARDS (1), BENCH_PARTS (`ingest,queries`: which parts to run), BENCH_NODE_OPTIONS (NODE_OPTIONS for the nodes
// alone, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
// The ingest part prints each side's CPU per event (the processes' user + system time over the
// part, from /proc): on a machine whose cores the nodes share with ClickHouse, the rate is set by it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliPath, spawnTend, type ChildTend } from '../test/support/tend.js';
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
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const PARTS = new Set((process.env.BENCH_PARTS ?? 'ingest,queries').split(','));
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

/** CPU seconds (user + system, all threads) a process has used so far. */
function cpuSeconds(pid: number): number {
  // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLOCK_TICKS;
}
const CLOCK_TICKS = 100;

/** Runs `work`, answering with it the CPU seconds each group of processes (and this one, the load generator) spent meanwhile. */
async function withCpu<T>(groups: Record<string, number[]>, work: () => Promise<T>): Promise<T & { cpu: Record<string, number> }> {
  const sum = (pids: number[]) => pids.reduce((t, pid) => t + cpuSeconds(pid), 0);
  const before = Object.fromEntries(Object.entries(groups).map(([k, pids]) => [k, sum(pids)]));
  const self = process.cpuUsage();
  const result = await work();
  const cpu: Record<string, number> = Object.fromEntries(Object.entries(groups).map(([k, pids]) => [k, sum(pids) - before[k]]));
  const used = process.cpuUsage(self);
  cpu.loadGenerator = (used.user + used.system) / 1e6;
  return { ...result, cpu };
}

/** `clickhouse 9.1 us/event, tend 25.0, ...` */
function perEvent(cpu: Record<string, number>): string {
  return Object.entries(cpu)
    .map(([k, s]) => `${k} ${((s / TOTAL) * 1e6).toFixed(1)}`)
    .join(', ');
}

interface Build {
  name: string;
  cli: string;
  /** More environment for its nodes. */
  env: Record<string, string>;
}

function builds(): Build[] {
  const spec = process.env.BENCH_BUILDS ?? `now=${cliPath}`;
  return spec
    .split(/\s+/)
    .filter(Boolean)
    .map((item) => {
      const [spec, ...settings] = item.split('+');
      const [name, cli] = spec.split('=');
      if (!cli) throw new Error(`BENCH_BUILDS: expected name=path/to/dist/cli/index.js, got ${item}`);
      const env = Object.fromEntries(settings.map((s) => [s.slice(0, s.indexOf('=')), s.slice(s.indexOf('=') + 1)]));
      return { name, cli: path.resolve(cli), env };
    });
}

/** Where the first node's keys.json is kept for the nodes that join. */
const keysDir = tempDir('scale-keys');

/**
 * Two nodes of `build` sharing the stores (pushed onto `nodes` as they start). The very first
 * node bootstraps the metadata store's keys; every later one joins with them.
 */
async function startNodes(nodes: ChildTend[], build: Build, events: string, meta: string): Promise<ChildTend[]> {
  const args = ['--events', events, '--meta', meta, '--grpc-port', 'off'];
  const nodeOptions = process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {};
  const mine: ChildTend[] = [];
  for (let i = 1; i <= 2; i++) {
    const dir = tempDir(`scale-${build.name}-${i}`);
    const env = { ...nodeOptions, ...build.env, TEND_NODE_ID: `${build.name}-${i}` };
    const first = nodes[0];
    // A joining node writes no keys.json; spawnTend reads the first's from its folder.
    if (first) fs.copyFileSync(`${keysDir}/keys.json`, `${dir}/keys.json`);
    const node = await spawnTend(dir, 0, first ? { ...env, TEND_INGEST_KEY: first.ingestKey, TEND_ADMIN_KEY: first.adminKey } : env, args, { cli: build.cli });
    if (!first) fs.copyFileSync(`${dir}/keys.json`, `${keysDir}/keys.json`);
    nodes.push(node);
    mine.push(node);
  }
  return mine;
}

async function ingestThroughTend(nodes: ChildTend[], batches: Buffer[], dataset: string) {
  const posts = nodes.map((n) => httpPoster(`${n.url}/1/batch/${dataset}`, { 'x-honeycomb-team': n.ingestKey, 'content-type': 'application/json' }, Math.ceil(CONNECTIONS / nodes.length)));
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
 * Where ClickHouse's own rate is measured: a table shaped as Tend makes them (`like`), on a
 * cluster each server's share behind a Distributed table.
 */
async function createReference(servers: ClickHouse[], like: string): Promise<void> {
  const local = servers.length > 1 ? 'ev_local' : 'ev';
  for (const server of servers) {
    await server.query('CREATE DATABASE IF NOT EXISTS ref');
    await server.query(`CREATE TABLE ref.${local} AS ${like}${servers.length > 1 ? '_local' : ''}`);
    if (servers.length > 1) await server.query(`CREATE TABLE ref.ev AS ref.ev_local ENGINE = Distributed(tend, ref, ev_local)`);
  }
}

/** ClickHouse's own rate: the same rows into the reference table, on a cluster into each server's share in turn, as Tend writes. */
async function ingestReference(servers: ClickHouse[], batches: Buffer[]) {
  const local = servers.length > 1 ? 'ev_local' : 'ev';
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
  const rows: { name: string; tendMs: number; runMs: number; clickhouseMs: number; ratio: number }[] = [];
  for (const q of cases()) {
    const tendTimes: number[] = [];
    // The node's own account (metadata.duration_ms: from the dataset's look-up to the shaped
    // answer), so the rest of Tend's time is HTTP, the key and the JSON of the answer.
    const runTimes: number[] = [];
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
      runTimes.push(((await res.json()) as { metadata: { duration_ms: number } }).metadata.duration_ms);
      tendTimes.push(performance.now() - t0);
      t0 = performance.now();
      for (const s of q.sql(table)) await ch.query(s);
      chTimes.push(performance.now() - t0);
    }
    const row = { name: q.name, tendMs: median(tendTimes), runMs: median(runTimes), clickhouseMs: median(chTimes), ratio: median(tendTimes) / median(chTimes) };
    rows.push(row);
    console.log(`${q.name.padEnd(38)} Tend ${row.tendMs.toFixed(1).padStart(8)} ms (run ${row.runMs.toFixed(0)})   ClickHouse SQL ${row.clickhouseMs.toFixed(1).padStart(8)} ms   ratio ${row.ratio.toFixed(2)}`);
  }
  return rows;
}

/** The tables of Tend's events (the Distributed ones on a cluster). */
async function eventTables(ch: ClickHouse): Promise<string[]> {
  const text = await ch.query("SELECT name FROM system.tables WHERE database = 'tend' AND name LIKE 'ev\\_%' AND NOT endsWith(name, '_local') FORMAT TSV");
  return text.trim().split('\n').filter(Boolean);
}

interface IngestRun {
  seconds: number;
  latencies: number[];
  cpu: Record<string, number>;
}

function describeRun(label: string, run: IngestRun, extra: string): string {
  const rate = Math.round(TOTAL / run.seconds).toLocaleString();
  return `${label.padEnd(34)} ${rate.padStart(8)} events/s  batch p50 ${percentile(run.latencies, 50).toFixed(1)} ms  p99 ${percentile(run.latencies, 99).toFixed(1)} ms  ${extra}\n    CPU us/event: ${perEvent(run.cpu)}`;
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
    const eventsUrl = `${ch.url.replace('http://', 'clickhouse://default:@')}/tend${cluster ? `?cluster=${cluster.name}` : ''}`;
    const nodesOf = new Map<Build, ChildTend[]>();
    for (const build of builds()) nodesOf.set(build, await startNodes(nodes, build, eventsUrl, pg.url('tend')));
    const clickhouse = servers.map((s) => s.pid);
    const runs = new Map<Build, { tend: IngestRun; ratio: number }[]>([...nodesOf.keys()].map((b) => [b, []]));
    const references: IngestRun[] = [];
    let queried: string | undefined;
    // The query part needs the events, so the first round runs even when only it does.
    const rounds = PARTS.has('ingest') ? ROUNDS : 1;
    for (let round = 1; round <= rounds; round++) {
      const tendRuns = new Map<Build, IngestRun>();
      for (const [build, own] of nodesOf) {
        const before = new Set(await eventTables(ch));
        const dataset = queried === undefined ? 'scale' : `scale-${build.name}-${round}`;
        const tend = await withCpu({ clickhouse, tend: own.map((n) => n.child.pid!) }, () => ingestThroughTend(own, tendBodies, dataset));
        const table = (await eventTables(ch)).find((t) => !before.has(t))!;
        queried ??= table;
        const stored = Number((await ch.query(`SELECT count() FROM tend.${table}`)).trim());
        console.log(describeRun(`round ${round}, Tend (${build.name}), 2 nodes`, tend, `stored ${stored}  rejected ${tend.rejected}`));
        // Merged now, so the next inserts do not share the servers with these merges.
        for (const server of servers) await server.query(`OPTIMIZE TABLE tend.${table}${cluster ? '_local' : ''} FINAL`);
        tendRuns.set(build, tend);
      }
      if (!PARTS.has('ingest')) break;
      if (round === 1) await createReference(servers, `tend.${queried}`);
      const ref = await withCpu({ clickhouse, tend: nodes.map((n) => n.child.pid!) }, () => ingestReference(servers, chBodies));
      await ch.query(`OPTIMIZE TABLE ref.${cluster ? 'ev_local' : 'ev'} FINAL`);
      console.log(describeRun(`round ${round}, ClickHouse JSONEachRow`, ref, `stored ${ref.stored}`));
      references.push(ref);
      for (const [build, tend] of tendRuns) runs.get(build)!.push({ tend, ratio: ref.seconds / tend.seconds });
      console.log(`  Tend / ClickHouse: ${[...tendRuns].map(([b, t]) => `${b.name} ${(ref.seconds / t.seconds).toFixed(2)}`).join(', ')}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
    }
    let ingest: Record<string, unknown> | undefined;
    if (PARTS.has('ingest')) {
      const usPerEvent = (list: IngestRun[]) => {
        const keys = Object.keys(list[0].cpu);
        return Object.fromEntries(keys.map((k) => [k, +((list.reduce((t, r) => t + r.cpu[k], 0) / list.length / TOTAL) * 1e6).toFixed(2)]));
      };
      const rate = (list: IngestRun[]) => median(list.map((r) => TOTAL / r.seconds));
      ingest = {
        clickhouseEventsPerSecond: rate(references),
        referenceCpuUsPerEvent: usPerEvent(references),
        builds: [...runs].map(([b, list]) => ({ name: b.name, tendEventsPerSecond: rate(list.map((r) => r.tend)), ratio: median(list.map((r) => r.ratio)), ratios: list.map((r) => r.ratio), tendCpuUsPerEvent: usPerEvent(list.map((r) => r.tend)) })),
        loadAverage: os.loadavg(),
      };
      console.log(`ClickHouse JSONEachRow: median ${Math.round(rate(references)).toLocaleString()} events/s, CPU us/event ${JSON.stringify(ingest.referenceCpuUsPerEvent)}`);
      for (const b of ingest.builds as { name: string; tendEventsPerSecond: number; ratio: number; tendCpuUsPerEvent: unknown }[]) {
        console.log(`Tend (${b.name}): median ${Math.round(b.tendEventsPerSecond).toLocaleString()} events/s, ratio ${b.ratio.toFixed(2)} (goal >= 0.8), CPU us/event ${JSON.stringify(b.tendCpuUsPerEvent)}`);
      }
      console.log();
    }
    const queries = PARTS.has('queries') ? await timeQueries(ch, nodes[1], `tend.${queried}`) : undefined;
    recordResult('scale', { events: TOTAL, batch: BATCH, connections: CONNECTIONS, rounds, clickhouse: version, shards: servers.length, ingest, queries });
  } finally {
    for (const n of nodes) await n.stop();
    if (cluster) await cluster.stop();
    else await ch.stop();
    await pg.stop();
    for (const d of fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('tend-scale-'))) fs.rmSync(`${os.tmpdir()}/${d}`, { recursive: true, force: true });
  }
}

await main();
