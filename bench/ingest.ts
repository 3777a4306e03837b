// npm run bench:ingest — events/s through Tend's Honeycomb batch API, against references
// measured in the same run on the same events:
//   1. raw DuckDB: the same rows through DuckDB's appender, one commit per 1,000 (no HTTP, no Tend);
//   2. Tend's store: DuckEventStore.append, one commit per 1,000 (no HTTP);
//   3. ClickHouse (Debian's, when installed): HTTP JSONEachRow inserts of the same batches.
// Settings (env): BENCH_EVENTS (default 1,000,000), BENCH_BATCH (1,000), BENCH_CONNECTIONS (4).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  BIGINT, BOOLEAN, DOUBLE, DuckDBDataChunk, DuckDBInstance, DuckDBTimestampValue, TIMESTAMP, VARCHAR, type DuckDBType,
} from '@duckdb/node-api';
import { typeOfValue, type StoredEvent } from '../src/store/index.js';
import { spawnTend } from '../test/support/tend.js';
import { generateEvents, type GeneratedEvent } from './generator.js';
import { clickHouseVersion, startClickHouse } from './clickhouse.js';
import { httpPoster, sendAll } from './load.js';
import { percentile, recordResult, tempDir } from './report.js';
import { storeAppendRate } from './store-alone.js';

const TOTAL = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 1000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 4);
const batches = Math.ceil(TOTAL / BATCH);

function eventsOf(b: number): GeneratedEvent[] {
  return generateEvents(b * BATCH, Math.min(BATCH, TOTAL - b * BATCH));
}

/** Peak resident memory of a process, from /proc (VmHWM). */
function peakRssBytes(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/**
 * CPU seconds a process has used (all its threads, user + system), from /proc/<pid>/stat.
 * Per event, this compares servers even when other work shares the machine, which the rates
 * alone do not: on two cores, CPU per event sets the rate a quiet machine would reach.
 */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

async function benchTend(bodies: Buffer[]) {
  const dataDir = tempDir('bench-ingest');
  const tend = await spawnTend(dataDir, 0);
  let rejected = 0;
  const cpu0 = cpuSeconds(tend.child.pid!);
  const post = httpPoster(`${tend.url}/1/batch/bench`, { 'x-honeycomb-team': tend.ingestKey, 'content-type': 'application/json' }, CONNECTIONS);
  const run = await sendAll(bodies, CONNECTIONS, async (body) => {
    const r = await post(body);
    if (r.status === 429) return 'retry';
    if (r.status !== 200) throw new Error(`Tend answered ${r.status}: ${r.text.slice(0, 200)}`);
    for (const s of JSON.parse(r.text) as { status: number }[]) if (s.status !== 202) rejected++;
    return 'done';
  });
  const rss = peakRssBytes(tend.child.pid!);
  const cpuUsPerEvent = ((cpuSeconds(tend.child.pid!) - cpu0) * 1e6) / TOTAL;
  await tend.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
  return { ...run, rejected, peakRssBytes: rss, cpuUsPerEvent };
}

const now = Date.now() * 1000;
const toStored = (e: GeneratedEvent, i: number): StoredEvent => ({ time: now - (TOTAL - i), samplerate: 1, fields: e });

async function benchRawDuckDB(): Promise<number> {
  const dir = tempDir('bench-raw');
  const instance = await DuckDBInstance.create(path.join(dir, 'raw.duckdb'));
  const conn = await instance.connect();
  const sample = eventsOf(0)[0];
  const names = Object.keys(sample);
  const sqlType = { string: 'VARCHAR', integer: 'BIGINT', float: 'DOUBLE', boolean: 'BOOLEAN' } as const;
  const chunkType: Record<string, DuckDBType> = { string: VARCHAR, integer: BIGINT, float: DOUBLE, boolean: BOOLEAN };
  // Every numeric field except the status code and counters can be fractional: type from the first event.
  const types = names.map((n) => (n === 'duration_ms' || n === 'db.duration_ms' ? 'float' : typeOfValue(sample[n])));
  await conn.run(`CREATE TABLE ev ("__time" TIMESTAMP, "__samplerate" BIGINT, ${names.map((n, i) => `"${n}" ${sqlType[types[i]]}`).join(', ')})`);
  const chunkTypes = [TIMESTAMP, BIGINT, ...types.map((t) => chunkType[t])];
  let seconds = 0;
  for (let b = 0; b < batches; b++) {
    const events = eventsOf(b);
    const started = performance.now();
    await conn.run('BEGIN TRANSACTION');
    const appender = await conn.createAppender('ev');
    const chunk = DuckDBDataChunk.create(chunkTypes, events.length);
    chunk.setColumnValues(0, events.map((_, i) => new DuckDBTimestampValue(BigInt(now - (TOTAL - b * BATCH - i)))));
    chunk.setColumnValues(1, events.map(() => 1n));
    names.forEach((n, c) => chunk.setColumnValues(c + 2, events.map((e) => (types[c] === 'integer' ? BigInt(e[n] as number) : e[n]))));
    appender.appendDataChunk(chunk);
    appender.flushSync();
    appender.closeSync();
    await conn.run('COMMIT');
    seconds += (performance.now() - started) / 1000;
  }
  instance.closeSync();
  fs.rmSync(dir, { recursive: true, force: true });
  return TOTAL / seconds;
}

function* storedBatches(): Generator<StoredEvent[]> {
  for (let b = 0; b < batches; b++) yield eventsOf(b).map((e, i) => toStored(e, b * BATCH + i));
}

async function benchClickHouse(bodies: Buffer[]) {
  const ch = await startClickHouse();
  if (!ch) return undefined;
  try {
    const version = await clickHouseVersion(ch);
    const sample = eventsOf(0)[0];
    const chType = (n: string) =>
      n === 'duration_ms' || n === 'db.duration_ms' ? 'Float64' : ({ string: 'String', integer: 'Int64', float: 'Float64', boolean: 'UInt8' } as const)[typeOfValue(sample[n])];
    const cols = Object.keys(sample).map((n) => `\`${n}\` ${chType(n)}`);
    await ch.query(`CREATE TABLE ev (${cols.join(', ')}) ENGINE = MergeTree ORDER BY (service, endpoint)`);
    const post = httpPoster(`${ch.url}/?query=${encodeURIComponent('INSERT INTO ev FORMAT JSONEachRow')}`, {}, CONNECTIONS);
    const cpu0 = cpuSeconds(ch.pid);
    const run = await sendAll(bodies, CONNECTIONS, async (body) => {
      const r = await post(body);
      if (r.status !== 200) throw new Error(`ClickHouse answered ${r.status}: ${r.text.slice(0, 200)}`);
      return 'done';
    });
    const cpuUsPerEvent = ((cpuSeconds(ch.pid) - cpu0) * 1e6) / TOTAL;
    const stored = Number((await ch.query('SELECT count() FROM ev')).trim());
    return { version, eventsPerSecond: TOTAL / run.seconds, stored, p50: percentile(run.latencies, 50), p99: percentile(run.latencies, 99), cpuUsPerEvent };
  } finally {
    await ch.stop();
  }
}

async function main() {
  console.log(`bench:ingest — ${TOTAL.toLocaleString()} events of ${Object.keys(eventsOf(0)[0]).length} fields, batches of ${BATCH}, ${CONNECTIONS} keep-alive connections, ${os.cpus().length} cores`);
  console.log('generating request bodies...');
  const tendBodies: Buffer[] = [];
  const chBodies: Buffer[] = [];
  for (let b = 0; b < batches; b++) {
    const events = eventsOf(b);
    tendBodies.push(Buffer.from(JSON.stringify(events.map((data) => ({ data })))));
    chBodies.push(Buffer.from(events.map((e) => JSON.stringify({ ...e, cache_hit: +e.cache_hit, error: +e.error, retry: +e.retry })).join('\n')));
  }

  const tend = await benchTend(tendBodies);
  const tendRate = TOTAL / tend.seconds;
  console.log(`Tend HTTP /1/batch:     ${Math.round(tendRate).toLocaleString()} events/s   batch p50 ${percentile(tend.latencies, 50).toFixed(1)} ms  p99 ${percentile(tend.latencies, 99).toFixed(1)} ms   peak RSS ${(tend.peakRssBytes / 2 ** 20).toFixed(0)} MiB   rejected ${tend.rejected}   server CPU ${tend.cpuUsPerEvent.toFixed(2)} µs/event`);
  const raw = await benchRawDuckDB();
  console.log(`raw DuckDB appender:    ${Math.round(raw).toLocaleString()} events/s   (Tend HTTP / raw = ${(tendRate / raw).toFixed(2)})`);
  const store = await storeAppendRate(storedBatches());
  console.log(`Tend store, no HTTP:    ${Math.round(store).toLocaleString()} events/s   (Tend HTTP / store = ${(tendRate / store).toFixed(2)})`);
  const ch = await benchClickHouse(chBodies);
  if (ch) {
    console.log(`ClickHouse ${ch.version} HTTP JSONEachRow: ${Math.round(ch.eventsPerSecond).toLocaleString()} events/s   batch p50 ${ch.p50.toFixed(1)} ms  p99 ${ch.p99.toFixed(1)} ms   (Tend / ClickHouse = ${(tendRate / ch.eventsPerSecond).toFixed(2)}; stored ${ch.stored})`);
    console.log(`server CPU per event: Tend ${tend.cpuUsPerEvent.toFixed(2)} µs, ClickHouse ${ch.cpuUsPerEvent.toFixed(2)} µs (ClickHouse / Tend = ${(ch.cpuUsPerEvent / tend.cpuUsPerEvent).toFixed(2)})`);
  } else {
    console.log('ClickHouse: not installed and could not be installed; skipped');
  }
  recordResult('ingest', {
    events: TOTAL,
    batch: BATCH,
    connections: CONNECTIONS,
    tend: { eventsPerSecond: tendRate, p50Ms: percentile(tend.latencies, 50), p99Ms: percentile(tend.latencies, 99), peakRssBytes: tend.peakRssBytes, rejected: tend.rejected, cpuUsPerEvent: tend.cpuUsPerEvent },
    rawDuckDbEventsPerSecond: raw,
    storeEventsPerSecond: store,
    clickhouse: ch ?? null,
  });
}

await main();
