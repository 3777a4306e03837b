// npm run bench:ingest-designs — the write-path designs measured side by side on the events
// of bench:ingest, to choose one (docs/benchmarks.md, "Ingest"):
//   values: DuckDBDataChunk.setColumnValues, one converted JS value per cell (the store before);
//   vector: VectorChunkBuilder, buffers in DuckDB's vector layout, one native copy per column;
//   store:  DuckEventStore.append (planning, schema, vector chunks) on a fresh data folder;
// and what the HTTP path adds on the main thread before any of them: JSON.parse of the
// request bodies and normalizeEvent (the costs a worker pool could take off the main thread).
// Settings (env): BENCH_EVENTS (default 200,000), BENCH_GROUP (events per commit, 1,000 and 4,000).
import fs from 'node:fs';
import path from 'node:path';
import { BIGINT, BOOLEAN, DOUBLE, DuckDBDataChunk, DuckDBInstance, DuckDBTimestampValue, TIMESTAMP, VARCHAR, type DuckDBConnection, type DuckDBType } from '@duckdb/node-api';
import { defaultIngestLimits } from '../src/config.js';
import { normalizeEvent } from '../src/ingest/index.js';
import { typeOfValue, type ColumnType, type StoredEvent } from '../src/store/index.js';
import { VectorChunkBuilder, VECTOR_ROWS, type VectorType } from '../src/store/duckdb/vector-chunk.js';
import { generateEvents } from './generator.js';
import { recordResult, tempDir } from './report.js';
import { storeAppendRate } from './store-alone.js';

const TOTAL = Number(process.env.BENCH_EVENTS ?? 200_000);
const GROUPS = process.env.BENCH_GROUP ? [Number(process.env.BENCH_GROUP)] : [1000, 4000];
const now = Date.now() * 1000;

const raw = generateEvents(0, TOTAL);
const names = Object.keys(raw[0]);
// As in bench:ingest's raw reference: fractional fields typed float from the first event.
const types: ColumnType[] = names.map((n) => (n === 'duration_ms' || n === 'db.duration_ms' ? 'float' : typeOfValue(raw[0][n])));
const events: StoredEvent[] = raw.map((fields, i) => ({ time: now - (TOTAL - i), samplerate: 1, fields }));

async function rawTable(): Promise<{ conn: DuckDBConnection; close: () => void }> {
  const dir = tempDir('bench-designs');
  const instance = await DuckDBInstance.create(path.join(dir, 'raw.duckdb'));
  const conn = await instance.connect();
  const sql = { string: 'VARCHAR', integer: 'BIGINT', float: 'DOUBLE', boolean: 'BOOLEAN' } as const;
  await conn.run(`CREATE TABLE ev ("__time" TIMESTAMP, "__samplerate" BIGINT, ${names.map((n, i) => `"${n}" ${sql[types[i]]}`).join(', ')})`);
  return {
    conn,
    close: () => {
      instance.closeSync();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Events/s appending `group` events per commit with `fill` building each data chunk, and the
 * process's CPU time per event (all threads: JS and DuckDB's), which other work running on
 * the machine distorts less than the rate.
 */
async function appendRate(group: number, fill: (slice: StoredEvent[]) => DuckDBDataChunk): Promise<{ rate: number; cpuUs: number }> {
  const { conn, close } = await rawTable();
  let seconds = 0;
  const cpu0 = process.cpuUsage();
  try {
    for (let start = 0; start < TOTAL; start += group) {
      const batch = events.slice(start, start + group);
      const t0 = performance.now();
      await conn.run('BEGIN TRANSACTION');
      const appender = await conn.createAppender('ev');
      for (let c = 0; c < batch.length; c += VECTOR_ROWS) appender.appendDataChunk(fill(batch.slice(c, c + VECTOR_ROWS)));
      appender.closeSync();
      await conn.run('COMMIT');
      seconds += (performance.now() - t0) / 1000;
    }
  } finally {
    close();
  }
  const cpu = process.cpuUsage(cpu0);
  return { rate: TOTAL / seconds, cpuUs: (cpu.user + cpu.system) / TOTAL };
}

const CHUNK_TYPE: Record<ColumnType, DuckDBType> = { string: VARCHAR, integer: BIGINT, float: DOUBLE, boolean: BOOLEAN };
function valuesChunk(slice: StoredEvent[]): DuckDBDataChunk {
  const chunk = DuckDBDataChunk.create([TIMESTAMP, BIGINT, ...types.map((t) => CHUNK_TYPE[t])], slice.length);
  chunk.setColumnValues(0, slice.map((e) => new DuckDBTimestampValue(BigInt(e.time))));
  chunk.setColumnValues(1, slice.map((e) => BigInt(e.samplerate)));
  names.forEach((n, c) => chunk.setColumnValues(c + 2, slice.map((e) => (types[c] === 'integer' ? BigInt(e.fields[n] as number) : e.fields[n]))));
  return chunk;
}

const vectorTypes: VectorType[] = ['timestamp', 'integer', ...types];
function vectorChunk(slice: StoredEvent[]): DuckDBDataChunk {
  const b = new VectorChunkBuilder(vectorTypes, slice.length);
  for (let r = 0; r < slice.length; r++) {
    const e = slice[r];
    b.set(0, r, e.time);
    b.set(1, r, e.samplerate);
    for (let c = 0; c < names.length; c++) b.set(c + 2, r, e.fields[names[c]]);
  }
  return new DuckDBDataChunk(b.finish());
}

/** CPU microseconds per event of `work` over every event, best of three passes. */
function perEvent(work: () => void): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const cpu0 = process.cpuUsage();
    work();
    const cpu = process.cpuUsage(cpu0);
    best = Math.min(best, (cpu.user + cpu.system) / TOTAL);
  }
  return best;
}

async function main() {
  console.log(`bench:ingest-designs — ${TOTAL.toLocaleString()} events of ${names.length} fields`);
  const bodies = Array.from({ length: TOTAL / 1000 }, (_, b) => Buffer.from(JSON.stringify(raw.slice(b * 1000, b * 1000 + 1000).map((data) => ({ data })))));
  const parsed = bodies.map((b) => JSON.parse(b.toString()) as { data: unknown }[]);
  const costs = {
    jsonParseUs: perEvent(() => bodies.forEach((b) => JSON.parse(b.toString()))),
    normalizeUs: perEvent(() => parsed.forEach((items) => items.forEach((it) => normalizeEvent(it.data, undefined, undefined, now, defaultIngestLimits)))),
    vectorFillUs: perEvent(() => {
      for (let s = 0; s < TOTAL; s += VECTOR_ROWS) vectorChunk(events.slice(s, s + VECTOR_ROWS));
    }),
    valuesFillUs: perEvent(() => {
      for (let s = 0; s < TOTAL; s += VECTOR_ROWS) valuesChunk(events.slice(s, s + VECTOR_ROWS));
    }),
  };
  console.log(
    `main thread, µs per event: JSON.parse ${costs.jsonParseUs.toFixed(2)}, normalize ${costs.normalizeUs.toFixed(2)}, ` +
      `vector fill ${costs.vectorFillUs.toFixed(2)}, values fill ${costs.valuesFillUs.toFixed(2)}`,
  );
  const rates: Record<string, Record<string, { rate: number; cpuUs: number }>> = {};
  const show = (r: { rate: number; cpuUs: number }) => `${Math.round(r.rate).toLocaleString()}/s, ${r.cpuUs.toFixed(2)} µs CPU per event`;
  for (const group of GROUPS) {
    const values = await appendRate(group, valuesChunk);
    const vector = await appendRate(group, vectorChunk);
    const batches = function* () {
      for (let s = 0; s < TOTAL; s += group) yield events.slice(s, s + group);
    };
    const cpu0 = process.cpuUsage();
    const storeRate = await storeAppendRate(batches());
    const cpu = process.cpuUsage(cpu0);
    const store = { rate: storeRate, cpuUs: (cpu.user + cpu.system) / TOTAL };
    rates[group] = { values, vector, store };
    console.log(`commits of ${group}: values ${show(values)}; vector ${show(vector)}; Tend store ${show(store)}`);
    console.log(`  vector / values: ${(vector.rate / values.rate).toFixed(2)}x the rate, ${(values.cpuUs / vector.cpuUs).toFixed(2)}x less CPU`);
  }
  recordResult('ingest-designs', { events: TOTAL, fields: names.length, mainThreadUsPerEvent: costs, eventsPerSecond: rates });
}

await main();
