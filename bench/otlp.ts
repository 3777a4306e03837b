// npm run bench:otlp — spans/s through OTLP/HTTP protobuf and OTLP/gRPC (batches of 512 spans
// with 10 attributes each), with Tend's Honeycomb /1/batch path on the same events in the same
// run as the reference; then trace look-up by id on a large dataset, through the trace index
// (GET /api/v1/traces/:id) against a full scan of the same data in raw DuckDB SQL. Between the
// two, Tend's store alone takes the same span rows without any transport: the ceiling of every path.
// First, what each path costs the main thread per span before the store (bench/otlp-cpu.ts).
// Settings (env): BENCH_SPANS (default 1,000,000), BENCH_CONNECTIONS (4), BENCH_ROUNDS (2: Honeycomb
// and OTLP/HTTP alternated, the best of each compared), BENCH_LOOKUP_SPANS (default 5,000,000 over
// 3 days; 0 skips the look-up), BENCH_LOOKUPS (50).
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import * as grpc from '@grpc/grpc-js';
import { loadConfig } from '../src/config.js';
import { startTend } from '../src/server/index.js';
import { quoteIdent } from '../src/store/index.js';
import { spawnTend } from '../test/support/tend.js';
import { httpPoster, sendAll } from './load.js';
import { median, percentile, recordResult, tempDir } from './report.js';
import { storeAppendRate } from './store-alone.js';
import { pathCosts } from './otlp-cpu.js';
import { BATCH, batches, honeycombBatch, protobufBatch, SPANS_PER_TRACE, spanFields, spansBetween, traceIdOf } from './otlp-spans.js';

const SPANS = Number(process.env.BENCH_SPANS ?? 1_000_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 4);
const LOOKUP_SPANS = Number(process.env.BENCH_LOOKUP_SPANS ?? 5_000_000);
const LOOKUPS = Number(process.env.BENCH_LOOKUPS ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const DAY_MS = 86_400_000;

type Send = (body: Buffer) => Promise<number>;

/** A status of 429 or gRPC UNAVAILABLE asks for a retry; anything else but 200 stops the run. */
function retryingOn(send: Send): (body: Buffer) => Promise<'done' | 'retry'> {
  return async (body) => {
    const status = await send(body);
    if (status === 429 || status === grpc.status.UNAVAILABLE + 1000) return 'retry';
    if (status !== 200) throw new Error(`answered ${status}`);
    return 'done';
  };
}

function httpSender(url: string, headers: Record<string, string>): Send {
  const post = httpPoster(url, headers, CONNECTIONS);
  return async (body) => (await post(body)).status;
}

/** gRPC answers map to 200, or 1000 + the gRPC status code. */
function grpcSender(address: string, key: string): { send: Send; close: () => void } {
  const client = new grpc.Client(address, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': 16 * 2 ** 20 });
  const metadata = new grpc.Metadata();
  metadata.set('x-honeycomb-team', key);
  const identity = (b: Buffer) => b;
  const send: Send = (body) =>
    new Promise((resolve) => {
      client.makeUnaryRequest('/opentelemetry.proto.collector.trace.v1.TraceService/Export', identity, identity, body, metadata, (err) => resolve(err ? 1000 + (err.code ?? 2) : 200));
    });
  return { send, close: () => client.close() };
}

interface Run {
  spansPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

async function ingestRun(label: string, bodies: Buffer[], transport: 'http-protobuf' | 'grpc' | 'honeycomb'): Promise<Run> {
  const dataDir = tempDir(`bench-otlp-${transport}`);
  const grpcPort = transport === 'grpc' ? String(await freePort()) : 'off';
  const tend = await spawnTend(dataDir, 0, { TEND_GRPC_PORT: grpcPort });
  try {
    let run;
    if (transport === 'grpc') {
      const g = grpcSender(`127.0.0.1:${grpcPort}`, tend.ingestKey);
      run = await sendAll(bodies, CONNECTIONS, retryingOn(g.send));
      g.close();
    } else if (transport === 'http-protobuf') {
      run = await sendAll(bodies, CONNECTIONS, retryingOn(httpSender(`${tend.url}/v1/traces`, { 'x-honeycomb-team': tend.ingestKey, 'content-type': 'application/x-protobuf' })));
    } else {
      run = await sendAll(bodies, CONNECTIONS, retryingOn(httpSender(`${tend.url}/1/batch/bench-svc`, { 'x-honeycomb-team': tend.ingestKey, 'content-type': 'application/json' })));
    }
    const rate = SPANS / run.seconds;
    console.log(`${label.padEnd(28)} ${Math.round(rate).toLocaleString().padStart(9)} spans/s   batch p50 ${percentile(run.latencies, 50).toFixed(1)} ms  p99 ${percentile(run.latencies, 99).toFixed(1)} ms`);
    return { spansPerSecond: rate, p50Ms: percentile(run.latencies, 50), p99Ms: percentile(run.latencies, 99) };
  } finally {
    await tend.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * The ceiling under every transport: Tend's store alone (DuckEventStore.append, no HTTP, no
 * protobuf, no mapping) taking the same span rows from ready-made events, in commits of 2,048
 * (the most the 4 connections of 512 spans can have in flight) and of 122,880 (one DuckDB row
 * group: DuckDB then writes the rows straight to the database file instead of its WAL).
 */
async function storeCeilingRun(firstMs: number, spacing: number) {
  const events = spansBetween(0, SPANS, firstMs, spacing).map((s) => ({ time: s.startMs * 1000, samplerate: 1, fields: spanFields(s) }));
  const out: Record<string, number> = {};
  for (const commit of [BATCH * CONNECTIONS, 122_880]) {
    const slices = Array.from({ length: Math.ceil(events.length / commit) }, (_, k) => events.slice(k * commit, (k + 1) * commit));
    out[`commitsOf${commit}`] = await storeAppendRate(slices);
    console.log(`${`store alone, commits of ${commit.toLocaleString()}`.padEnd(36)} ${Math.round(out[`commitsOf${commit}`]).toLocaleString().padStart(9)} spans/s`);
  }
  return out;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = http.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Trace look-up by id on LOOKUP_SPANS spans over 3 days: trace API vs a full scan in raw SQL. */
async function lookupRun() {
  const dataDir = tempDir('bench-otlp-lookup');
  const tend = await startTend(loadConfig({ port: 0, grpcPort: 'off', logLevel: 'error', data: dataDir }, {}), {});
  const key = JSON.parse(fs.readFileSync(`${dataDir}/keys.json`, 'utf8')) as { ingest_key: string; admin_key: string };
  try {
    const firstMs = Math.floor(Date.now() / DAY_MS - 3) * DAY_MS;
    const spacing = (3 * DAY_MS) / LOOKUP_SPANS;
    const send = httpSender(`${tend.url}/v1/traces`, { 'x-honeycomb-team': key.ingest_key, 'content-type': 'application/x-protobuf' });
    // Bodies are made as they are sent, so a large run does not hold every body in memory.
    const started = performance.now();
    const step = BATCH * 64;
    for (let loaded = 0; loaded < LOOKUP_SPANS; loaded += step) {
      await sendAll(batches(loaded, Math.min(LOOKUP_SPANS, loaded + step), firstMs, spacing, protobufBatch), CONNECTIONS, retryingOn(send));
    }
    console.log(`loaded ${LOOKUP_SPANS.toLocaleString()} spans over 3 days in ${((performance.now() - started) / 1000).toFixed(0)} s`);

    const traces = Math.floor(LOOKUP_SPANS / SPANS_PER_TRACE);
    const ids = Array.from({ length: LOOKUPS }, (_, i) => traceIdOf(Math.floor(((i + 0.5) / LOOKUPS) * traces)));
    const api: number[] = [];
    for (const id of ids) {
      const t0 = performance.now();
      const res = await fetch(`${tend.url}/api/v1/traces/${id}`, { headers: { 'x-honeycomb-team': key.admin_key } });
      const tree = (await res.json()) as { span_count: number };
      api.push(performance.now() - t0);
      if (tree.span_count !== SPANS_PER_TRACE) throw new Error(`trace ${id}: ${tree.span_count} spans`);
    }
    // Reference: the same question without the index, as one SQL scan of every day partition.
    const env = (await tend.auth.environment('production'))!;
    const ds = (await tend.datasets.find(env.id, 'bench-svc'))!;
    const source = (await tend.store.source([ds.id], 0, Number.MAX_SAFE_INTEGER))!;
    const scan: number[] = [];
    for (const id of ids.slice(0, Math.min(10, ids.length))) {
      const t0 = performance.now();
      const rows = await tend.store.read(`SELECT * FROM ${source} WHERE ${quoteIdent('trace.trace_id')} = $1`, [id], { timeoutMs: 120_000 });
      scan.push(performance.now() - t0);
      if (rows.length !== SPANS_PER_TRACE) throw new Error(`scan ${id}: ${rows.length} rows`);
    }
    const result = { spans: LOOKUP_SPANS, lookups: LOOKUPS, apiMedianMs: median(api), apiP99Ms: percentile(api, 99), fullScanMedianMs: median(scan) };
    console.log(`trace API (index):  median ${result.apiMedianMs.toFixed(1)} ms  p99 ${result.apiP99Ms.toFixed(1)} ms`);
    console.log(`raw SQL full scan:  median ${result.fullScanMedianMs.toFixed(1)} ms   (scan / API = ${(result.fullScanMedianMs / result.apiMedianMs).toFixed(1)}x)`);
    return result;
  } finally {
    // A stop folds the write-ahead log of millions of rows in; one that never ends must not lose the figures.
    const closed = await Promise.race([tend.close().then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 120_000).unref())]);
    if (closed) fs.rmSync(dataDir, { recursive: true, force: true });
    else console.warn(`tend.close() did not finish within 120 s; ${dataDir} is left behind`);
  }
}

async function main() {
  console.log(`bench:otlp — ${SPANS.toLocaleString()} spans in batches of ${BATCH} (10 attributes each), ${CONNECTIONS} connections, ${os.cpus().length} cores`);
  const costs = pathCosts();
  console.log(
    `main-thread CPU per span before the store: Honeycomb JSON.parse + normalize ${costs.honeycomb.toFixed(2)} µs, OTLP protobufjs + mapTraces ${costs.otlpReference.toFixed(2)} µs, ` +
      `OTLP wire reader ${costs.otlpWire.toFixed(2)} µs (a worker's events would cost ${costs.workerClone.toFixed(2)} µs to receive)`,
  );
  const firstMs = Date.now() - 3_600_000;
  const spacing = 3_600_000 / SPANS;
  const protobuf = batches(0, SPANS, firstMs, spacing, protobufBatch);
  const honeycomb = batches(0, SPANS, firstMs, spacing, honeycombBatch);
  // Alternated, so a slow minute of the machine does not land on one path only.
  const rounds: { honeycomb: Run; httpProtobuf: Run }[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    rounds.push({ honeycomb: await ingestRun('Honeycomb /1/batch (ref)', honeycomb, 'honeycomb'), httpProtobuf: await ingestRun('OTLP/HTTP protobuf', protobuf, 'http-protobuf') });
  }
  const best = (runs: Run[]) => runs.reduce((a, b) => (b.spansPerSecond > a.spansPerSecond ? b : a));
  const hc = best(rounds.map((r) => r.honeycomb));
  const proto = best(rounds.map((r) => r.httpProtobuf));
  const viaGrpc = await ingestRun('OTLP/gRPC', protobuf, 'grpc');
  const storeAlone = await storeCeilingRun(firstMs, spacing);
  console.log(
    `best of ${ROUNDS}: OTLP/HTTP ${Math.round(proto.spansPerSecond).toLocaleString()} spans/s, OTLP/HTTP / Honeycomb = ${(proto.spansPerSecond / hc.spansPerSecond).toFixed(2)}   ` +
      `gRPC / Honeycomb = ${(viaGrpc.spansPerSecond / hc.spansPerSecond).toFixed(2)}   (targets: 1.00 and 120,000 spans/s)`,
  );
  const figures = { spans: SPANS, batch: BATCH, attributes: 10, connections: CONNECTIONS, cpuMicrosPerSpan: costs, rounds, honeycomb: hc, httpProtobuf: proto, grpc: viaGrpc, storeAlone };
  // Recorded now too, so a look-up run that fails or hangs does not lose them.
  recordResult('otlp', figures);
  if (LOOKUP_SPANS > 0) recordResult('otlp', { ...figures, traceLookup: await lookupRun() });
}

await main();
// Whatever a hung stop left running.
process.exit(0);
